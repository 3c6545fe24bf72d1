"""Decoding of W3 posting blocks without their positions (searchkz.rank._block_ids_weights)."""

from __future__ import annotations

import pickle
import zlib

import pytest

from searchkz.rank import _block_ids_weights


class _File:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def get(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]


class _Block:
    """The attributes of a W3LeafMatcher positioned on one block."""

    def __init__(self, data: tuple, compression: int) -> None:
        raw = pickle.dumps(data, 2)  # as W3PostingsWriter._write_block pickles a block
        if compression:
            raw = zlib.compress(raw, compression)
        self._postfile = _File(b"xx" + raw)
        self._dataoffset = 2
        self._nextoffset = 2 + len(raw)
        self._compression = compression
        self._blocklength = len(data[0])


POSITIONS = tuple(pickle.dumps([i, i + 7], 2) for i in range(128))


@pytest.mark.parametrize("compression", [0, 3])
@pytest.mark.parametrize(
    "data",
    [
        (tuple(range(1, 129)), tuple(float(i % 5 + 1) for i in range(128)), POSITIONS),  # body: positions
        (tuple(range(1, 129)), 2.0, POSITIONS),  # one weight for the whole block
        (tuple([70000] * 128), None, b"\x00\x00\x00\x01" * 128),  # exact: frequencies as one bytes
        ((5,), (1.0,), (b"(c_codecs\nencode\n",)),  # a value that looks like the cut itself
        ((40, 99, 1), (1.0, 1.0, 1.0), None),  # no values: the whole pickle
        ((ord("("), ord("c")), (1.0, 1.0), ("c_codecs\nencode\n",)),  # no bytes values (a str)
        ((1, 2), (1.0, 2.0), (None, None, b"x")),  # values before the first bytes: not cut there
        ((1, 2), (1.0, 2.0), [b"x", b"y"]),  # values in a list
        ((1, 2), (1.0, 2.0), (None, b"x")),  # a short tuple (no MARK) with a value before the bytes
    ],
)
def test_ids_and_weights_without_the_values(data, compression):
    assert _block_ids_weights(_Block(data, compression)) == (data[0], data[1])


@pytest.mark.parametrize("deleted", [set(), {3}, {0, 1000}, {3, 40, 41, 999}, set(range(0, 1000, 2)), set(range(1000))])
@pytest.mark.parametrize("offset", [0, 5000])
def test_deleted_documents_are_dropped_from_a_leafs_postings(deleted, offset):
    """A segment's postings without its deleted documents (few: binary search; many: a filter),
    leaving the postings of earlier segments (before ``start``) alone."""
    from array import array

    from searchkz.rank import _drop_deleted

    earlier = [1, 2, 3] if offset else []  # an earlier segment's documents (never dropped)
    docs = list(range(0, 1000, 3))
    ids = array("i", earlier + [d + offset for d in docs])
    ws = array("f", [9.0] * len(earlier) + [float(d % 7) for d in docs])
    _drop_deleted(ids, ws, len(earlier), deleted, offset)
    kept = [d for d in docs if d not in deleted]
    assert list(ids) == earlier + [d + offset for d in kept]
    assert list(ws) == [9.0] * len(earlier) + [float(d % 7) for d in kept]


@pytest.mark.parametrize("factor", [1.0, 0.35, 2, 1])
@pytest.mark.parametrize("start", [{}, {3: 1.5, 4: 0.5}])
def test_weighted_list_added_to_a_sum(factor, start):
    """``acc[d] += factor · w``: the C-level update into an empty sum gives the loop's numbers
    (an int factor included)."""
    from array import array

    from searchkz.rank import _add

    ids, ws = array("i", [1, 3, 9]), array("f", [1.0, 2.0, 0.5])
    acc = dict(start)
    _add(acc, ids, ws, factor)
    want = dict(start)
    for d, w in zip(ids, ws):
        want[d] = want.get(d, 0.0) + factor * w
    assert acc == want and all(type(v) is float for v in acc.values())
