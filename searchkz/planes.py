"""Dense copies of a segment's long posting lists ("planes"), written with the segment.

A plane is a byte a document of the segment: the term's frequency there (0 where
the term is absent).  The ranker's bounded top k (:meth:`searchkz.rank.Ranker.dense`)
works on such bytes; built from a posting list, a plane costs every posting a
pickle decode and a byte store (~235 ns each at 100k articles: ~5 ms of a query's
first reading of its common words).  The full reindex (:mod:`searchkz.segments`)
therefore also writes, for each term of ``FIELDS`` in at least ``1 / SHARE`` of a
segment's documents (segments of ``MIN_DOCS`` or more), its plane, zlib-compressed
(~0.1 ms to inflate; +5% to the index at 100k articles), into one file of the
segment (``<segment>.pln``, inside its compound file).  Reading it back is
:class:`PlaneReader`; any file that is missing or not laid out as expected is
ignored and the lists are read as before, so an index without planes (Whoosh's
own writer, an incremental update, an older index) ranks the same.

The file: ``MAGIC``, the directory's length (4 bytes, big-endian), the directory
(a pickle of ``(documents, {(field, term): (offset, length)})``), then the
compressed planes (offsets from the end of the directory).
"""

from __future__ import annotations

import pickle
import struct
import sys
import zlib
from array import array

EXT = ".pln"  # the file's extension after the segment id (Whoosh packs it into the compound file)
MAGIC = b"searchkz-planes-1\n"
FIELDS = frozenset({"title", "body", "exact"})
SHARE = 32  # a list in at least 1/32 of the segment's documents
MIN_DOCS = 64  # segments this small have no planes (cheap to read either way)
LEVEL = 6  # zlib level: 6 against 1 made them 25% smaller, inflated as fast
_DIR_LENGTH = struct.Struct("!I")


def _float_groups() -> list[tuple[int, bytes, bytes]]:
    """``(high byte, its mask table, second byte -> whole number)`` of float32s 1.0-255.0: their two
    low bytes are zero, the high byte is 0x3F-0x43 and, with it, the second byte says which number."""
    out = []
    for hi in range(0x3F, 0x44):
        whole = bytearray(256)
        for b in range(256):
            v = struct.unpack("<f", bytes([0, 0, b, hi]))[0]
            if v == int(v) and 1 <= v <= 255:
                whole[b] = int(v)
        out.append((hi, bytes(255 if x == hi else 0 for x in range(256)), bytes(whole)))
    return out


_FLOAT_GROUPS = _float_groups()


def whole_bytes(ws: array) -> bytes | None:
    """Float32 weights as bytes when every one is a whole number 1-255 (else None), in C-level
    byte operations on their bit patterns (``bytes(map(int, ws))`` is ~60 ns a weight)."""
    raw = ws.tobytes()
    if sys.byteorder == "little":
        b0, b1, b2, b3 = raw[0::4], raw[1::4], raw[2::4], raw[3::4]
    else:
        b3, b2, b1, b0 = raw[0::4], raw[1::4], raw[2::4], raw[3::4]
    if b0.translate(None, b"\0") or b1.translate(None, b"\0"):
        return None
    whole = 0
    for hi, mask, table in _FLOAT_GROUPS:
        if hi in b3:
            whole |= int.from_bytes(b2.translate(table), "little") & int.from_bytes(b3.translate(mask), "little")
    out = whole.to_bytes(len(ws), "little")
    return None if 0 in out else out


def wants_plane(fieldname: str, df: int, docs: int) -> bool:
    """Whether a list of ``df`` postings in a segment of ``docs`` documents gets a plane."""
    return fieldname in FIELDS and docs >= MIN_DOCS and df * SHARE >= docs


def plane_of(docs: array, weights: array, n: int) -> bytes | None:
    """A posting list (document numbers, weights as ``array("f")``) as a plane of ``n`` bytes,
    or None when a weight is not a whole number 1-255."""
    tf = whole_bytes(weights)
    if tf is None:
        return None
    buf = bytearray(n)
    for d, w in zip(docs, tf):
        buf[d] = w
    return bytes(buf)


class PlaneWriter:
    """Collects a segment's planes (compressed as they come) and writes the file at the end."""

    def __init__(self, docs: int) -> None:
        self.docs = docs
        self._dir: dict[tuple[str, str], tuple[int, int]] = {}
        self._blobs: list[bytes] = []
        self._size = 0

    def __len__(self) -> int:
        return len(self._dir)

    def add(self, fieldname: str, term: str, plane: bytes) -> None:
        blob = zlib.compress(plane, LEVEL)
        self._dir[(fieldname, term)] = (self._size, len(blob))
        self._blobs.append(blob)
        self._size += len(blob)

    def write(self, f) -> None:
        """Write the file to ``f`` (a Whoosh ``StructFile`` or any binary file object)."""
        head = pickle.dumps((self.docs, self._dir), protocol=4)
        f.write(MAGIC + _DIR_LENGTH.pack(len(head)) + head)
        for blob in self._blobs:
            f.write(blob)


class PlaneReader:
    """The planes of one segment: :meth:`get` inflates one (None: the segment has none for it)."""

    def __init__(self, get, docs: int) -> None:
        """``get(offset, length) -> bytes``: reads the file; ``docs``: the segment's document
        count.  Raises ValueError for a file that is not a planes file of this segment."""
        head = get(0, len(MAGIC) + _DIR_LENGTH.size)
        if head[: len(MAGIC)] != MAGIC:
            raise ValueError("not a planes file")
        (length,) = _DIR_LENGTH.unpack_from(head, len(MAGIC))
        n, directory = pickle.loads(get(len(head), length))
        if n != docs or type(directory) is not dict:
            raise ValueError("planes of another segment")
        self.docs = docs
        self._get = get
        self._base = len(head) + length
        self._dir = directory

    def __len__(self) -> int:
        return len(self._dir)

    def get(self, fieldname: str, term: str) -> bytes | None:
        where = self._dir.get((fieldname, term))
        if where is None:
            return None
        offset, length = where
        try:
            plane = zlib.decompress(self._get(self._base + offset, length))
        except zlib.error:
            return None
        return plane if len(plane) == self.docs else None


def open_planes(sub) -> PlaneReader | None:
    """The planes of a Whoosh segment reader (None: it has none, or not a W3-style reader)."""
    try:
        segment, storage = sub._segment, sub._storage
        name = segment.make_filename(EXT)
        if not storage.file_exists(name):
            return None
        f = storage.open_file(name)
        get = f.get
        return PlaneReader(get, sub.doc_count_all())
    except Exception:  # another Whoosh, or not a planes file: read the lists instead
        return None

