"""A segment's ranking data as plain arrays, written with the segment by the full reindex.

The ranker (:mod:`searchkz.rank`) needs, per field, each term's documents and
frequencies, each document's field length and each document's day.  Whoosh keeps
them in pickled, delta-coded posting blocks and a per-document column reader; the
full reindex (:mod:`searchkz.segments`) therefore also writes them as arrays into
one file of the segment (``<segment>.rka``, inside its compound file, so it is
checksummed, hard-linked and deleted with the segment).  A search maps the
compound file and takes every array with ``np.frombuffer``: nothing is decoded or
unpickled when an index is opened, whatever its size.  This module is the format
and its reading (the search path); :mod:`searchkz.arraywriter` writes it.

Per field ``F`` (title, body, exact):

* ``F.terms`` / ``F.tstart``: the sorted UTF-8 terms, one blob, and where each starts;
* ``F.kind``, ``F.pstart``, ``F.docs``: each term's documents, in the smallest of
  three encodings — ``IDS16`` (uint16 document numbers, segments under 65,536
  documents), ``GAPS8`` (the gaps between document numbers, a byte each, a 0 byte
  adding 255) or ``BITMAP`` (a bit a document of the segment);
* ``F.df``: each term's number of documents;
* ``F.xstart``, ``F.xdoc``, ``F.xval``: the postings whose frequency is not 1
  (their document and the frequency, at most 255); a posting's weight is its
  frequency times the field's boost (``fields[F]["boost"]``);
* ``F.len``: each document's field length as Whoosh's length byte.

and ``days``: each document's day (days since 1970-01-01; ``NO_DAY`` undated).  (Files
written before the title boost counted from the ``title`` postings also hold ``titles`` and
``title_at``, which are not read.)

The file: ``MAGIC``, the header's length (uint32, little-endian), the header
(JSON: the document count, the fields' boosts, each array's offset, dtype and
length), then the arrays, each at an offset that is a multiple of 8.  A file
that is missing or not laid out so is ignored: the ranker reads that segment's
Whoosh postings instead (an incremental update's segments, other writers).
"""

from __future__ import annotations

import functools
import json
import mmap
import struct
from bisect import bisect_left
from pathlib import Path

import numpy as np

EXT = ".rka"
MAGIC = b"skzarr01"
FIELDS = ("title", "body", "exact")
IDS16, GAPS8, BITMAP = 0, 1, 2
NO_DAY = np.iinfo(np.int32).min
HEAD_LENGTH = struct.Struct("<I")  # the header's length, after MAGIC
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_DECODE_BYTES = 1 << 18  # posting bytes decoded at once (FieldArrays.with_live)


def day_number(d) -> int:
    """A date's (or datetime's) day as days since 1970-01-01, as the arrays keep it."""
    return d.toordinal() - _EPOCH_ORDINAL


@functools.cache
def length_table() -> np.ndarray:
    """Whoosh's length byte -> the field length it stands for (ascending)."""
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


class _TermList:
    """A field's sorted terms as a sequence of bytes (for ``bisect``), read from the mapped file:
    a probe slices one term out of the map (bytes) and reads its bounds as Python ints through a
    memoryview, so opening a segment copies no term and builds no list of them."""

    __slots__ = ("buf", "base", "starts", "n")

    def __init__(self, buf: mmap.mmap, base: int, starts: np.ndarray) -> None:
        self.buf = buf
        self.base = base  # where the terms' blob begins in the map
        self.starts = memoryview(starts.astype(np.uint32, copy=False)).cast("B").cast("I")
        self.n = len(starts) - 1

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> bytes:
        return self.buf[self.base + self.starts[i]:self.base + self.starts[i + 1]]

    def all(self) -> list[bytes]:
        """Every term, in order."""
        blob, at = self.buf[self.base:self.base + self.starts[self.n]], self.starts.tolist()
        return [blob[a:b] for a, b in zip(at, at[1:])]


class FieldArrays:
    """One field's arrays in one segment."""

    def __init__(self, get, terms: _TermList, n: int, boost: float) -> None:
        self.n = n
        self.boost = float(boost)
        self.terms = terms
        self.kind = get("kind")
        self.pstart = get("pstart")
        self.docs = get("docs")
        self.df = get("df")
        self.xstart = get("xstart")
        self.xdoc = get("xdoc")
        self.xval = get("xval")
        self.lengths = get("len")
        self._found: dict[str, int] = {}

    def find(self, term: str) -> int:
        """The term's number, or -1 (remembered: a query's words come back in later queries)."""
        i = self._found.get(term)
        if i is None:
            key = term.encode("utf-8")
            i = bisect_left(self.terms, key)
            i = i if i < self.terms.n and self.terms[i] == key else -1
            if len(self._found) > 200_000:
                self._found.clear()
            self._found[term] = i
        return i

    def prefixed(self, prefix: str) -> tuple[int, int]:
        """The numbers ``[i, j)`` of the terms that begin with ``prefix``."""
        key = prefix.encode("utf-8")
        i = bisect_left(self.terms, key)
        j = bisect_left(self.terms, key + b"\xff", i)
        return i, j

    def term(self, i: int) -> str:
        return self.terms[i].decode("utf-8")

    def postings(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """``(document numbers in the segment, weights)`` of term number ``i``."""
        a, b = int(self.pstart[i]), int(self.pstart[i + 1])
        raw = self.docs[a:b]
        kind = int(self.kind[i])
        if kind == IDS16:
            ids = raw.view(np.uint16).astype(np.intp)
        elif kind == GAPS8:
            zero = raw == 0
            ids = np.add.accumulate(np.where(zero, 255, raw), dtype=np.intp)[~zero]
            ids -= 1
        else:
            ids = np.flatnonzero(np.unpackbits(raw, count=self.n, bitorder="little").view(bool))
        ws = np.empty(len(ids))
        ws.fill(self.boost)
        x0, x1 = int(self.xstart[i]), int(self.xstart[i + 1])
        if x1 > x0:
            ws[np.searchsorted(ids, self.xdoc[x0:x1].astype(np.intp))] = self.xval[x0:x1] * self.boost
        return ids, ws

    def with_live(self, live: np.ndarray) -> np.ndarray:
        """A bool a term: one of its documents is live (``live``: a bool a document).  A term in more
        documents than were deleted has one; the others' lists are decoded together (``_DECODE_BYTES``
        at a time, a few MB of arrays), a bitmap's alone."""
        out = self.df > self.n - np.count_nonzero(live)
        cand = np.flatnonzero(~out)
        kinds = self.kind[cand]
        for t in cand[kinds == BITMAP].tolist():
            out[t] = live[self.postings(t)[0]].any()
        for kind in (IDS16, GAPS8):
            terms = cand[kinds == kind]
            size = (self.pstart[terms + 1] - self.pstart[terms]).astype(np.intp)
            cuts = np.searchsorted(np.cumsum(size), np.arange(_DECODE_BYTES, size.sum(), _DECODE_BYTES))
            for part in np.split(np.arange(len(terms)), np.unique(cuts)):
                out[terms[part]] = self._any_live(terms[part], size[part], kind, live)
        return out

    def _any_live(self, terms: np.ndarray, size: np.ndarray, kind: int, live: np.ndarray) -> np.ndarray:
        """A bool a term (all of one ``kind``, not bitmaps; ``size``: their lists' bytes): one of its
        documents is live."""
        first = np.cumsum(size) - size  # where each term's bytes start among those gathered
        raw = self.docs[np.arange(size.sum()) + np.repeat(self.pstart[terms].astype(np.intp) - first, size)]
        owner = np.repeat(np.arange(len(terms)), size)
        if kind == IDS16:
            ids, owner = raw.view(np.uint16), owner[::2]
        else:
            step = np.where(raw == 0, 255, raw).astype(np.intp)
            run = np.cumsum(step)
            ids = run - np.repeat(run[first] - step[first], size) - 1
            ids, owner = ids[raw != 0], owner[raw != 0]
        return np.bincount(owner, weights=live[ids], minlength=len(terms)) > 0

    def dense(self, i: int) -> tuple[np.ndarray, np.ndarray] | None:
        """``(a bool a document of the segment: has the term, each document's weight, 0 without)``
        of term number ``i`` when it is stored as a bitmap (a long list), else None."""
        if int(self.kind[i]) != BITMAP:
            return None
        a, b = int(self.pstart[i]), int(self.pstart[i + 1])
        bits = np.unpackbits(self.docs[a:b], count=self.n, bitorder="little").view(bool)
        ws = bits * self.boost
        x0, x1 = int(self.xstart[i]), int(self.xstart[i + 1])
        if x1 > x0:
            ws[self.xdoc[x0:x1].astype(np.intp)] = self.xval[x0:x1] * self.boost  # (intp: a third of the time)
        return bits, ws


class SegmentArrays:
    """The arrays of one segment (:func:`open_arrays`)."""

    def __init__(self, buf, base: int, length: int) -> None:
        if bytes(buf[base:base + len(MAGIC)]) != MAGIC:
            raise ValueError("not a searchkz arrays file")
        (hlen,) = HEAD_LENGTH.unpack_from(buf, base + len(MAGIC))
        start = base + len(MAGIC) + HEAD_LENGTH.size
        head = json.loads(bytes(buf[start:start + hlen]))
        data = start + hlen
        if data + sum(-(-np.dtype(d).itemsize * c // 8) * 8 for _o, d, c in head["arrays"].values()) > base + length:
            raise ValueError("truncated arrays file")
        table = head["arrays"]
        self.n = int(head["docs"])

        def get(key: str) -> np.ndarray:
            offset, dtype, count = table[key]
            return np.frombuffer(buf, dtype=np.dtype(dtype), count=count, offset=data + offset)

        self.days = get("days")
        self.fields = {}
        for name, meta in head["fields"].items():
            terms = _TermList(buf, data + table[f"{name}.terms"][0], get(f"{name}.tstart"))
            self.fields[name] = FieldArrays(lambda k, name=name: get(f"{name}.{k}"), terms, self.n, meta["boost"])
        if len(self.days) != self.n:
            raise ValueError("arrays of another segment")


def open_arrays(sub, gen: Path | None = None) -> SegmentArrays | None:
    """The arrays of a Whoosh segment reader (mapped from its compound file), or None: the segment
    has none (an incremental update), or they cannot be read (then its postings are used)."""
    try:
        segment, storage = sub._segment, sub._storage
        name = segment.make_filename(EXT)
        compound, folder = getattr(storage, "a", None), getattr(storage, "b", None)  # (an OverlayStorage)
        if not hasattr(compound, "range") or not compound.file_exists(name):
            return None
        offset, length = compound.range(name)
        path = Path(gen if gen is not None else folder.folder) / segment.make_filename(".seg")
        with open(path, "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        got = SegmentArrays(buf, offset, length)
        return got if got.n == sub.doc_count_all() else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
