"""Writing a segment's ranking arrays (the format and its reading: :mod:`searchkz.arrays`), for the
full reindex's segment writer (:mod:`searchkz.segments`) and an update's (:mod:`searchkz.updates`)."""

from __future__ import annotations

import json
from bisect import bisect_right

import numpy as np

from searchkz.arrays import FIELDS, GAPS8, HEAD_LENGTH, IDS16, MAGIC

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
    pad = -(len(MAGIC) + HEAD_LENGTH.size + len(head)) % 8
    f.write(MAGIC + HEAD_LENGTH.pack(len(head) + pad) + head + b" " * pad)
    for arr in arrays.values():
        raw = arr.tobytes()
        f.write(raw + b"\0" * (-len(raw) % 8))
