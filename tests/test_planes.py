"""The planes a full reindex stores with each segment (searchkz.planes): the file, and a ranker's
dense lists and rankings from them are those it builds from the posting lists."""

from __future__ import annotations

import io
import zlib
from array import array

import pytest

from searchkz import planes
from searchkz.bench import speed
from searchkz.planes import PlaneReader, PlaneWriter, open_planes, plane_of, wants_plane
from searchkz.rank import PARAMS, Ranker, ranker_for
from searchkz.search import build_query


def _file(writer: PlaneWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _reader(data: bytes, docs: int) -> PlaneReader:
    return PlaneReader(lambda offset, length: data[offset : offset + length], docs)


def test_plane_file_round_trip():
    w = PlaneWriter(6)
    w.add("body", "қоғам", bytes([0, 1, 0, 3, 0, 255]))
    w.add("exact", "қоғамдық", bytes([2, 0, 0, 0, 0, 1]))
    w.add("body", "жыл", bytes(6))
    r = _reader(_file(w), 6)
    assert len(r) == 3
    assert r.get("body", "қоғам") == bytes([0, 1, 0, 3, 0, 255])
    assert r.get("exact", "қоғамдық") == bytes([2, 0, 0, 0, 0, 1])
    assert r.get("body", "жыл") == bytes(6)
    assert r.get("exact", "қоғам") is None and r.get("title", "қоғам") is None


def test_plane_reader_refuses_other_files():
    w = PlaneWriter(4)
    w.add("body", "тіл", bytes([1, 0, 2, 0]))
    data = _file(w)
    with pytest.raises(ValueError):
        _reader(b"W3Bl" + data[4:], 4)  # not a planes file
    with pytest.raises(ValueError):
        _reader(data, 5)  # another segment's (another document count)
    r = _reader(data[:-1] + bytes([data[-1] ^ 0xFF]), 4)
    assert r.get("body", "тіл") is None  # a damaged plane: read from the list instead
    w = PlaneWriter(4)
    w._dir[("body", "тіл")] = (0, len(zlib.compress(bytes(5))))
    w._blobs.append(zlib.compress(bytes(5)))
    assert _reader(_file(w), 4).get("body", "тіл") is None  # inflates to another length


@pytest.mark.parametrize(
    "fieldname, df, docs, want",
    [
        ("body", 32, 1024, True),  # 1/32 of the documents
        ("body", 31, 1024, False),
        ("exact", 1024, 1024, True),
        ("title", 100, 1000, True),
        ("id", 1000, 1000, False),  # not a ranked field
        ("body", 63, 63, False),  # a segment too small to bother
        ("body", 64, 64, True),
    ],
)
def test_wants_plane(fieldname, df, docs, want):
    assert wants_plane(fieldname, df, docs) is want


@pytest.mark.parametrize(
    "weights, want",
    [
        ([1.0, 2.0, 255.0], bytes([0, 1, 0, 2, 255])),
        ([1.0, 2.5, 1.0], None),  # not a whole number
        ([1.0, 256.0, 1.0], None),  # more than a byte
    ],
)
def test_plane_of(weights, want):
    assert plane_of(array("I", [1, 3, 4]), array("f", weights), 5) == want


@pytest.fixture(scope="module")
def updated(tmp_path_factory, updated_index_builder):
    """300 articles in two segments (with planes), then 30 deleted and 20 added (a third segment,
    written by Whoosh's writer: no planes)."""
    ix, sentences = updated_index_builder(tmp_path_factory.mktemp("pln"), 300, seed=5, added=20, deleted=30)
    return ix, speed.make_queries(sentences, 60, seed=6)


def _lists(ranker: Ranker, queries: list[str]) -> list[tuple[str, str]]:
    out = []
    for q in queries:
        for w in build_query(q).qwords:
            ev = ranker._plan(w, PARAMS)
            out += [(f, t) for f, t, _f in ev.title + ev.body + ev.extra + ev.pref]
    return sorted(set(out))


def test_reindex_stores_planes_in_the_segments(updated):
    ix, _queries = updated
    reader = ix._open().reader()
    got = [open_planes(sub) for sub, _offset in reader.leaf_readers()]
    assert got[0] is not None and got[1] is not None and len(got[0]) > 50 and len(got[1]) > 50
    assert got[2] is None  # the incremental update's segment
    from searchkz.index import current_generation

    assert not list(current_generation(ix.path).glob("*" + planes.EXT))  # inside the compound segment files


@pytest.mark.parametrize("leaves", [None, [0], [1, 2]], ids=["whole", "first", "rest"])
def test_dense_lists_from_planes_equal_those_from_postings(updated, leaves, monkeypatch):
    """With deletions, a segment without planes and slices of the segments."""
    ix, queries = updated
    searcher = ix._open()
    stored, built = Ranker(searcher, leaves), Ranker(searcher, leaves)
    built._plane_readers = [None] * len(built._leaves)
    from_planes = 0
    for fieldname, term in _lists(stored, queries):
        from_planes += stored._stored_plane(fieldname, term) is not None
        got = stored.dense(fieldname, term)
        if got is None:  # no plane stored: the same rule as without planes
            assert built.dense(fieldname, term) is None
            continue
        want = bytearray(built._n)
        for d, w in zip(*built.plist(fieldname, term)):
            want[d - built._lo] = int(w)
        assert got[0] == want, (fieldname, term)
        assert got[1] == int.from_bytes(bytes(map(bool, want)), "little")
        if built.dense(fieldname, term) is not None:  # (a list long enough in the slice)
            assert built.dense(fieldname, term) == got
    assert from_planes > 20
    assert built.postings_read > stored.postings_read  # (the point: fewer lists decoded)


def test_rankings_with_and_without_planes_are_the_same(updated, monkeypatch, bounded_calls):
    ix, queries = updated
    monkeypatch.setattr(Ranker, "BOUND_MIN", 0)
    searcher = ix._open()
    with_planes = ranker_for(searcher)
    without = Ranker(searcher)
    without._plane_readers = [None] * len(without._leaves)
    for q in queries:
        words = build_query(q).qwords
        assert with_planes.rank(words, 10) == without.rank(words, 10), q
    assert sum(bounded_calls) > len(queries)  # both ranked through the bounds
