"""Near-duplicate articles (the same story reprinted): MinHash signatures and copy groups.

Each article's cleaned text is cut into overlapping 3-word shingles (lower-cased,
split on whitespace, punctuation kept); a signature is the minimum over the
shingles of a hash in each of :data:`NUM_PERM` bins (one permutation hashing), 16 bits each.  Two signatures agree
in a position with the probability that equals the Jaccard similarity of the two
shingle sets, so the share of equal positions estimates it.  Candidate pairs come
from banding (locality-sensitive hashing: :data:`BANDS` bands of
:data:`ROWS` positions; two articles that agree in a whole band are compared),
and a pair whose estimated similarity reaches :data:`THRESHOLD` is a copy; copy
pairs are joined into groups (union-find).

The signatures are computed at reindex (in the full reindex's worker processes,
:func:`signature`) and kept with the generation in ``signatures.npz`` (ids and
signatures) beside ``copies.json`` (the groups, which a search reads).  An
incremental reindex updates the signatures of the articles it added, changed or
deleted and regroups them all (a few numpy sorts: milliseconds at 10k articles).

>>> a = "Елордада үкіметтік емес ұйымдар мен мемлекеттік орган өкілдерінің басын қосқан диалог алаңы өтті. " * 3
>>> estimated_similarity(signature(a), signature(a + " Бөлісу: BAQ.KZ"))  >= THRESHOLD
True
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import numpy as np

NUM_PERM = 128  #: positions of a signature (bins of one permutation hashing)
ROWS = 2  #: positions a band (a band's key: two 16-bit minima as one uint32)
BANDS = NUM_PERM // ROWS
SHINGLE = 3  #: words a shingle
THRESHOLD = 0.4  #: estimated Jaccard similarity of shingle sets from which two articles are copies
SIGNATURES = "signatures.npz"
COPIES = "copies.json"
_EMPTY = np.full(NUM_PERM, 0xFFFF, dtype=np.uint16)  # an article without words: never a copy

_BIN_BITS = 7  # 2**7 == NUM_PERM bins
_ROTATE = 40503  # an empty bin's borrowed value is shifted by this times its distance
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def enabled() -> bool:
    """Detection runs unless ``SEARCHKZ_DEDUP=0`` (benchmarks compare reindex times with it off)."""
    return os.environ.get("SEARCHKZ_DEDUP", "1").strip().lower() not in ("0", "off", "no", "false")


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the text's 3-word shingles (its words when it has fewer than three)."""
    words = text.lower().encode("utf-8", "surrogatepass").split()
    if not words:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    if len(h) < SHINGLE:
        return h
    with np.errstate(over="ignore"):
        s = h[: len(h) - 2] * _M1 + h[1 : len(h) - 1] * _M2 + h[2:]
        return s ^ (s >> np.uint64(29))


def signature(text: str) -> bytes:
    """The MinHash signature of an article's text (``NUM_PERM`` 16-bit values, as bytes).

    One permutation hashing: each shingle's hash picks one of the ``NUM_PERM`` bins by its
    top bits and the bin keeps the least hash it gets; an empty bin borrows the value of the
    next filled bin to its right, shifted by the distance (rotation densification).  One
    hash a shingle instead of ``NUM_PERM``: ~5x faster than classic MinHash, the same
    agreement probability (the Jaccard similarity)."""
    s = shingle_hashes(text)
    if not len(s):
        return _EMPTY.tobytes()
    with np.errstate(over="ignore"):
        h = s * _M1
        h ^= h >> np.uint64(31)
    h.sort()
    bins = (h >> np.uint64(64 - _BIN_BITS)).astype(np.intp)
    filled, first = np.unique(bins, return_index=True)
    values = ((h[first] >> np.uint64(64 - _BIN_BITS - 16)) & np.uint64(0xFFFF)).astype(np.int64)
    if len(filled) == NUM_PERM:
        return values.astype(np.uint16).tobytes()
    j = np.arange(NUM_PERM)
    at = np.searchsorted(filled, j) % len(filled)
    dist = (filled[at] - j) % NUM_PERM
    out = (values[at] + dist * _ROTATE) & 0xFFFF
    return out.astype(np.uint16).tobytes()


def estimated_similarity(a: bytes, b: bytes) -> float:
    """The share of equal signature positions: an estimate of the texts' shingle Jaccard similarity."""
    return float(np.mean(np.frombuffer(a, np.uint16) == np.frombuffer(b, np.uint16)))


def as_matrix(sigs: list[bytes]) -> np.ndarray:
    if not sigs:
        return np.zeros((0, NUM_PERM), dtype=np.uint16)
    return np.frombuffer(b"".join(sigs), dtype=np.uint16).reshape(len(sigs), NUM_PERM)


def candidate_pairs(m: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)`` of rows that agree in a whole band (each bucket as a star and a chain:
    linear in its size, so a crowded bucket cannot blow up)."""
    n = len(m)
    live = np.flatnonzero(~(m == 0xFFFF).all(axis=1))
    if n < 2 or len(live) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    out = []
    # a band's key: its two adjacent 16-bit values read as one 32-bit number (a view, no copy)
    keys = np.ascontiguousarray(m, dtype=np.uint16).view(np.uint32)
    if len(live) < n:
        keys = keys[live]
    for b in range(BANDS):
        key = np.ascontiguousarray(keys[:, b])
        order = np.argsort(key)  # (any order inside a bucket will do: pairs are sorted below)
        k = key[order]
        same = k[1:] == k[:-1]
        if not same.any():
            continue
        # chain: neighbours in a bucket
        idx = np.flatnonzero(same)
        out.append(np.stack([order[idx], order[idx + 1]], axis=1))
        # star: each member with its bucket's first
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        first = np.repeat(starts, np.diff(np.concatenate((starts, [len(k)]))))
        far = np.flatnonzero(np.arange(len(k)) - first > 1)
        if len(far):
            out.append(np.stack([order[first[far]], order[far]], axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(out).astype(np.int64)
    pairs.sort(axis=1)
    # the distinct pairs in order, each pair as one number (np.unique took 1.1 s for the 1.2
    # million candidates of 100,000 articles, rows or numbers; a sort 0.1 s)
    key = pairs[:, 0] * len(live) + pairs[:, 1]
    key.sort()
    key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    return live[np.stack([key // len(live), key % len(live)], axis=1)]


def copy_pairs(m: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """The candidate pairs whose estimated similarity reaches ``threshold``."""
    pairs = candidate_pairs(m)
    if not len(pairs):
        return pairs
    keep = []
    for lo in range(0, len(pairs), 65536):  # bounded memory for many candidates
        p = pairs[lo : lo + 65536]
        sim = (m[p[:, 0]] == m[p[:, 1]]).mean(axis=1)
        keep.append(p[sim >= threshold])
    return np.concatenate(keep)


def group_rows(m: np.ndarray, threshold: float = THRESHOLD) -> list[list[int]]:
    """Rows joined by copy pairs (groups of two or more rows, each sorted)."""
    parent = list(range(len(m)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs = copy_pairs(m, threshold)
    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in np.unique(pairs).tolist():
        groups.setdefault(find(i), []).append(i)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def group_ids(ids: list[str], sigs: list[bytes] | np.ndarray) -> list[list[str]]:
    """Groups of copies among articles (ids sorted in each group; groups by their first id)."""
    m = sigs if isinstance(sigs, np.ndarray) else as_matrix(sigs)
    return sorted(sorted(ids[i] for i in g) for g in group_rows(m))


# -- kept with a generation --------------------------------------------------


def save(gen: Path, sigs: dict[str, bytes]) -> list[list[str]]:
    """Group ``{id: signature}`` and write both files into ``gen`` (before its checksums and
    manifest: the generation is published whole).  Returns the groups."""
    ids = sorted(sigs)
    m = as_matrix([sigs[i] for i in ids])
    groups = group_ids(ids, m)
    _write_atomic(gen / COPIES, json.dumps({"groups": groups}, ensure_ascii=False).encode("utf-8"))
    tmp = gen / (SIGNATURES + ".tmp.npz")
    # the ids as zlib'd JSON (2.2 MB -> 0.2 MB at 100,000 articles); the signatures as they are (random
    # 16-bit values: nothing to compress)
    packed = zlib.compress(json.dumps(ids, ensure_ascii=False).encode("utf-8"))
    np.savez(tmp, ids=np.frombuffer(packed, np.uint8), sigs=m)
    os.replace(tmp, gen / SIGNATURES)
    return groups


def load_signatures(gen: Path) -> dict[str, bytes] | None:
    """``{id: signature}`` kept with a generation, or None (built with detection off or by an
    older searchkz)."""
    try:
        with np.load(gen / SIGNATURES) as z:
            ids = json.loads(zlib.decompress(z["ids"].tobytes()).decode("utf-8"))
            m = z["sigs"]
    except (OSError, ValueError, KeyError, zlib.error):  # (zlib.error: an older searchkz's plain JSON)
        return None
    if m.shape != (len(ids), NUM_PERM):
        return None
    return {doc_id: row.tobytes() for doc_id, row in zip(ids, m)}


def load_groups(gen: Path) -> list[list[str]]:
    """The copy groups of a generation (none when it has no ``copies.json``)."""
    try:
        with open(gen / COPIES, encoding="utf-8") as fh:
            return json.load(fh).get("groups", [])
    except (OSError, ValueError):
        return []


def update(live: Path, gen: Path, changes: dict[str, bytes | None] | None) -> None:
    """After an incremental reindex into ``gen``: the live generation's signatures with
    ``changes`` applied (``{id: signature}`` for added and updated articles, ``None`` for
    deleted ones), regrouped and written into ``gen``.  A live generation without signatures
    gets them from the new generation's stored texts; ``changes=None`` (detection off)
    drops the files."""
    if changes is None:
        remove(gen)
        return
    sigs = load_signatures(live)
    if sigs is None:
        sigs = signatures_from_index(gen)
    sigs.update(changes)
    save(gen, {k: v for k, v in sigs.items() if v is not None})


def signatures_from_index(gen: Path) -> dict[str, bytes]:
    """Every stored article's signature (an index built before detection or with it off)."""
    from searchkz.index import _open_whoosh, unpack_text

    out = {}
    with _open_whoosh(gen).reader() as r:
        for _docnum, f in r.iter_docs():
            out[f["id"]] = signature(unpack_text(f.get("text")))
    return out


def remove(gen: Path) -> None:
    """Drop the files (an incremental reindex with detection off: stale groups would mislead)."""
    for name in (COPIES, SIGNATURES):
        try:
            os.unlink(gen / name)
        except FileNotFoundError:
            pass


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
