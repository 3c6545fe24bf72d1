"""A segment's ranking data as plain arrays, written with the segment by the full reindex.

The ranker (:mod:`searchkz.rank`) needs, per field, each term's documents and
frequencies, each document's field length and each document's day.  Whoosh keeps
them in pickled, delta-coded posting blocks and a per-document column reader; the
full reindex (:mod:`searchkz.segments`) therefore also writes them as arrays into
one file of the segment (``<segment>.rka``, inside its compound file, so it is
checksummed, hard-linked and deleted with the segment).  A search maps the
compound file and takes every array with ``np.frombuffer``: nothing is decoded or
unpickled when an index is opened, whatever its size.

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
from bisect import bisect_left, bisect_right
from pathlib import Path

import numpy as np

EXT = ".rka"
MAGIC = b"skzarr01"
FIELDS = ("title", "body", "exact")
IDS16, GAPS8, BITMAP = 0, 1, 2
NO_DAY = np.iinfo(np.int32).min
_HEAD = struct.Struct("<I")
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def day_number(d) -> int:
    """A date's (or datetime's) day as days since 1970-01-01, as the arrays keep it."""
    return d.toordinal() - _EPOCH_ORDINAL


@functools.cache
def length_table() -> np.ndarray:
    """Whoosh's length byte -> the field length it stands for (ascending)."""
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


# -- writing ----------------------------------------------------------------------------------


CHUNK = 1 << 20  # postings encoded at a time (bounds the writer's temporary arrays: ~50 bytes each)


def _encode(df: np.ndarray, ids: np.ndarray, weights: np.ndarray, n: int, boost: float):
    """``(kinds, each term's bytes, its documents with a frequency other than 1, those frequencies,
    how many each term has)`` of some terms (``df`` postings each, their documents ``ids`` and
    ``weights`` one term after the other), or None when a weight is not a whole multiple of ``boost``."""
    ids = ids.astype(np.int64)
    freq = weights.astype(np.float64) / boost
    whole = np.rint(freq)
    if not np.array_equal(whole, freq) or (whole < 1).any():
        return None
    starts = np.zeros(len(df) + 1, dtype=np.int64)
    np.cumsum(df, out=starts[1:])
    first = starts[:-1]
    # gaps (>= 1) between a term's documents, the first counted from -1; a gap of g takes
    # (g - 1) // 255 bytes of 0 (each adds 255) and one byte 1-255
    prev = np.empty_like(ids)
    prev[1:] = ids[:-1]
    prev[first[df > 0]] = -1
    gaps = ids - prev
    zeros = (gaps - 1) // 255
    gstart = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(zeros + 1, out=gstart[1:])
    gstream = np.zeros(int(gstart[-1]), dtype=np.uint8)
    gstream[gstart[1:] - 1] = gaps - 255 * zeros
    gbytes = gstart[starts[1:]] - gstart[first]
    sizes = np.stack([np.where(n <= 65536, 2 * df, np.iinfo(np.int64).max), gbytes,
                      np.full(len(df), (n + 7) // 8)])
    kind = np.argmin(sizes, axis=0).astype(np.uint8)
    parts = []
    for i in range(len(df)):
        a, b = first[i], starts[i + 1]
        if kind[i] == IDS16:
            parts.append(ids[a:b].astype(np.uint16).tobytes())
        elif kind[i] == GAPS8:
            parts.append(gstream[gstart[a]:gstart[b]].tobytes())
        else:
            bits = np.zeros(n, dtype=np.uint8)
            bits[ids[a:b]] = 1
            parts.append(np.packbits(bits, bitorder="little").tobytes())
    where = np.flatnonzero(whole != 1)
    xcount = np.bincount(np.searchsorted(starts, where, side="right") - 1, minlength=len(df))
    return kind, parts, ids[where], np.minimum(whole[where], 255), xcount


def field_arrays(names: list, df: np.ndarray, ids: np.ndarray, weights: np.ndarray, n: int,
                 boost: float) -> dict | None:
    """The arrays of one field: its terms ``names`` in order, ``df`` postings each, their documents
    ``ids`` (ascending in a term) and ``weights`` one term after the other; None when a weight is
    not a whole multiple of ``boost`` (then the field is not written).  Encoded :data:`CHUNK`
    postings at a time."""
    if not names:
        return None
    starts = [0] + np.cumsum(df).tolist()
    got = []
    for i, j in term_chunks(starts, CHUNK):
        g = _encode(df[i:j], ids[starts[i]:starts[j]], weights[starts[i]:starts[j]], n, boost)
        if g is None:
            return None
        got.append(g)
    parts = [p for g in got for p in g[1]]
    blobs = [t.encode("utf-8") if isinstance(t, str) else bytes(t) for t in names]
    pstart = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=pstart[1:])
    xstart = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([g[4] for g in got]), out=xstart[1:])
    tstart = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=tstart[1:])
    return {
        "terms": np.frombuffer(b"".join(blobs), dtype=np.uint8),
        "tstart": tstart.astype(np.uint32),
        "kind": np.concatenate([g[0] for g in got]),
        "pstart": pstart.astype(np.uint64 if pstart[-1] >= 2**32 else np.uint32),
        "docs": np.frombuffer(b"".join(parts), dtype=np.uint8),
        "df": np.asarray(df, dtype=np.uint32),
        "xstart": xstart.astype(np.uint32),
        "xdoc": np.concatenate([g[2] for g in got]).astype(np.uint16 if n <= 65536 else np.uint32),
        "xval": np.concatenate([g[3] for g in got]).astype(np.uint8),
    }


def term_chunks(starts: list[int], size: int):
    """Ranges ``[i, j)`` of terms (one at least) with at most ``size`` postings; ``starts``: where
    each term's postings start, and their total."""
    i, n = 0, len(starts) - 1
    while i < n:
        j = min(n, max(i + 1, bisect_right(starts, starts[i] + size) - 1))
        yield i, j
        i = j


def flat_postings(terms: dict) -> tuple:
    """``(names, df, ids, weights)`` for :func:`field_arrays` of ``{term: (docnums, weights, ...)}``."""
    names = sorted(terms)
    df = np.fromiter((len(terms[t][0]) for t in names), dtype=np.int64, count=len(names))
    if not names:
        return names, df, np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
    ids = np.concatenate([np.frombuffer(terms[t][0], dtype=np.uint32) for t in names])
    weights = np.concatenate([np.frombuffer(terms[t][1], dtype=np.float32) for t in names])
    return names, df, ids, weights


def write_arrays(f, n: int, fields: dict, boosts: dict, lengths: dict, days) -> None:
    """Write a segment's arrays to the binary file ``f``: ``fields`` maps a field name to its
    ``{term: (docnums, weights, ...)}``, ``lengths`` to its length bytes (``n`` of them),
    ``days`` is the days of the ``n`` documents (:data:`NO_DAY`: undated)."""
    got = {name: field_arrays(*flat_postings(fields[name]), n, boosts[name]) for name in FIELDS if name in fields}
    write_file(f, n, got, boosts, lengths, days)


def write_file(f, n: int, fields: dict, boosts: dict, lengths: dict, days) -> None:
    """:func:`write_arrays` with each field's arrays made (:func:`field_arrays`; None: not written)."""
    arrays = {"days": np.asarray(days, dtype=np.int32)}
    meta = {}
    for name in FIELDS:
        got = fields.get(name)
        if got is None:
            continue
        meta[name] = {"boost": boosts[name]}
        for key, arr in got.items():
            arrays[f"{name}.{key}"] = arr
        arrays[f"{name}.len"] = np.asarray(lengths[name], dtype=np.uint8)
    table = {}
    at = 0
    for key, arr in arrays.items():
        table[key] = [at, arr.dtype.str, int(arr.size)]
        at += -(-arr.nbytes // 8) * 8
    head = json.dumps({"docs": n, "fields": meta, "arrays": table}).encode("utf-8")
    pad = -(len(MAGIC) + _HEAD.size + len(head)) % 8
    f.write(MAGIC + _HEAD.pack(len(head) + pad) + head + b" " * pad)
    for arr in arrays.values():
        raw = arr.tobytes()
        f.write(raw + b"\0" * (-len(raw) % 8))


# -- reading ----------------------------------------------------------------------------------


class _TermList:
    """A field's sorted terms as a sequence of bytes (for ``bisect``) over the blob."""

    __slots__ = ("blob", "starts", "n")

    def __init__(self, blob: bytes, starts) -> None:
        self.blob = blob
        self.starts = starts.tolist()
        self.n = len(self.starts) - 1

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> bytes:
        return self.blob[self.starts[i]:self.starts[i + 1]]


class FieldArrays:
    """One field's arrays in one segment."""

    def __init__(self, get, n: int, boost: float) -> None:
        self.n = n
        self.boost = float(boost)
        self.terms = _TermList(get("terms").tobytes(), get("tstart"))
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
            ids = np.cumsum(np.where(raw == 0, 255, raw), dtype=np.intp)[raw != 0] - 1
        else:
            ids = np.flatnonzero(np.unpackbits(raw, count=self.n, bitorder="little").view(bool))
        ws = np.full(len(ids), self.boost)
        x0, x1 = int(self.xstart[i]), int(self.xstart[i + 1])
        if x1 > x0:
            ws[np.searchsorted(ids, self.xdoc[x0:x1])] = self.xval[x0:x1] * self.boost
        return ids, ws

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
            ws[self.xdoc[x0:x1]] = self.xval[x0:x1] * self.boost
        return bits, ws


class SegmentArrays:
    """The arrays of one segment (:func:`open_arrays`)."""

    def __init__(self, buf, base: int, length: int) -> None:
        if bytes(buf[base:base + len(MAGIC)]) != MAGIC:
            raise ValueError("not a searchkz arrays file")
        (hlen,) = _HEAD.unpack_from(buf, base + len(MAGIC))
        start = base + len(MAGIC) + _HEAD.size
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
            self.fields[name] = FieldArrays(lambda k, name=name: get(f"{name}.{k}"), self.n, meta["boost"])
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
