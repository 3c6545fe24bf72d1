"""The numpy ranking core against an exhaustive reference scorer, and the segment arrays it reads
against Whoosh's own postings, lengths and stored dates."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from searchkz.arrays import BITMAP, GAPS8, IDS16, NO_DAY
from searchkz.bench import speed
from searchkz.rank import PARAMS, best, ranker_for
from searchkz.search import build_query


@pytest.fixture(scope="module")
def updated(tmp_path_factory, updated_index_builder):
    """Two segments written by a full reindex (two processes), with deletions, and a third
    written by an incremental update (Whoosh's writer, which writes arrays too)."""
    ix, sentences = updated_index_builder(tmp_path_factory.mktemp("core"), 300, 11, added=12, deleted=9)
    queries = speed.make_queries(sentences, 120, seed=5)
    queries += ["Абай", "қазақ тілі", "Абай жолы романы", "мектеп оқушылары туралы", "жылы болды",
                "когамдык кенес", "qazaq tili", "жыл жылы жылдары"]
    return ix, queries


def _whoosh_postings(sub, offset, fieldname, term):
    try:
        m = sub.postings(fieldname, term.encode("utf-8"))
    except Exception:
        return {}
    out = {}
    while m.is_active():
        out[m.id() + offset] = m.weight()
        m.next()
    return out


def _reference(ranker, words, p=PARAMS):
    """BM25F of every document as the docs/ARCHITECTURE.md model says, with Python floats over
    Whoosh's matcher postings and lengths: {docnum: score} before the title boost."""
    reader = ranker.reader
    leaves = list(reader.leaf_readers())

    def postings(fieldname, term):
        out = {}
        for sub, offset in leaves:
            out.update(_whoosh_postings(sub, offset, fieldname, term))
        return out

    def norm(fieldname, b, d):
        return 1 - b + b * (reader.doc_field_length(d, fieldname, 0) or 0) / ranker._avg[fieldname]

    scores: dict[int, float] = {}
    for w in words:
        title, body, main = ranker._plan(w, p)
        tacc: dict[int, float] = {}
        bacc: dict[int, float] = {}
        seen: set = set()
        for term, f in title:
            for d, x in postings("title", term).items():
                tacc[d] = tacc.get(d, 0.0) + f * x
                seen.add(d)
        df = None
        for i, (fieldname, term, f) in enumerate(body):
            if i == main:
                df = len(seen)
            for d, x in postings(fieldname, term).items():
                bacc[d] = bacc.get(d, 0.0) + f * x
                seen.add(d)
        df = (df if df is not None else len(seen)) or len(seen)
        if not df:
            continue
        idf = math.log(1 + (ranker.n_docs - df + 0.5) / (df + 0.5)) ** p.idf_power * w.weight
        c = idf * (p.k1 + 1)
        for d in seen:
            v = bacc.get(d, 0.0)
            if d in tacc:
                tf = p.title_weight * tacc[d] / norm("title", p.b_title, d) + v / norm("body", p.b_body, d)
                s = c * tf / (p.k1 + tf)
            else:
                s = c * v / (v + p.k1 * norm("body", p.b_body, d))
            scores[d] = scores.get(d, 0.0) + s
    return scores


def _ranker(ix, update_arrays: bool):
    """The index's ranker, or (``update_arrays`` False) one that reads the update's segment from
    its Whoosh postings, as a segment without arrays (an older index's update) is read."""
    from searchkz.postings import segments_of
    from searchkz.rank import Ranker

    if update_arrays:
        return ranker_for(ix._open())
    ix._open()
    searcher = ix._ix.searcher()  # (a searcher of its own: its segments read afresh)
    segments_of(searcher.reader())[-1].arrays = None
    return Ranker(searcher)


@pytest.mark.parametrize("update_arrays", [True, False], ids=["arrays", "whoosh-postings"])
def test_core_scores_equal_the_reference_scorer(updated, update_arrays):
    ix, queries = updated
    ranker = _ranker(ix, update_arrays)
    assert len(ranker.segments) == 3 and ranker.segments[-1].n == 12  # the update's segment last
    assert [seg.arrays is None for seg in ranker.segments] == [False, False, not update_arrays]
    stats = ix.stats()
    assert stats["segments"] == 3 and stats["segments_without_arrays"] == 0
    assert any(seg.arrays is not None and seg.live is not None for seg in ranker.segments)
    for q in queries:
        words = build_query(q).qwords
        got = ranker.scores(words)
        want = _reference(ranker, words)
        assert set(np.flatnonzero(got).tolist()) == set(want), q
        for d, s in want.items():
            assert got[d] == pytest.approx(s, rel=1e-12, abs=0), q


def test_top_k_and_totals_equal_a_full_sort(updated):
    ix, queries = updated
    ranker = ranker_for(ix._open())
    for q in queries[:60]:
        words = build_query(q).qwords
        scores = ranker.scores(words)
        order = sorted(((d, s) for d, s in enumerate(scores.tolist()) if s), key=lambda x: (-x[1], x[0]))
        for k in (1, 10, 100):
            docs = np.flatnonzero(scores)
            assert [(d, scores[d]) for d in best(docs, scores[docs], k).tolist()] == order[:k], q
        ranked, matches = ranker.rank(words, limit=10)
        assert sorted(matches.tolist()) == sorted(d for d, _s in order)
        assert len(ranked) == min(10, len(order))


@pytest.mark.parametrize(
    "values, k, want",
    [
        ([3.0, 1.0, 2.0], 2, [0, 2]),
        ([1.0, 1.0, 1.0, 1.0], 2, [0, 1]),  # ties: the lower docnum first
        ([1.0, 2.0, 2.0, 0.5], 3, [1, 2, 0]),
        ([5.0], 10, [0]),
        ([2.0, 3.0], 0, []),
    ],
)
def test_best_orders_by_score_then_docnum(values, k, want):
    docs = np.arange(len(values))
    assert best(docs, np.array(values), k).tolist() == want


def test_arrays_equal_whoosh_postings_lengths_and_dates(updated):
    ix, _queries = updated
    searcher = ix._open()
    ranker = ranker_for(searcher)
    kinds = set()
    checked = 0
    for seg in ranker.segments:
        if seg.arrays is None:
            continue
        for fieldname, fa in seg.arrays.fields.items():
            kinds.update(np.unique(fa.kind).tolist())
            for i in range(0, fa.terms.n, 3):
                term = fa.term(i)
                ids, ws = seg.postings(fieldname, term)
                want = _whoosh_postings(seg.sub, seg.offset, fieldname, term)
                assert dict(zip(ids.tolist(), ws.tolist())) == want, (fieldname, term)
                checked += 1
            lengths = seg.lengths(fieldname)
            for d in range(0, seg.n, 5):
                assert lengths[d] == (seg.sub.doc_field_length(d, fieldname, 0) or 0)
        for d in range(seg.n):
            if seg.live is None or seg.live[d]:
                date = seg.sub.stored_fields(d).get("date")
                assert seg.arrays.days[d] == (NO_DAY if date is None else (date.date() - date.min.date()).days - 719162)
    assert checked > 500
    assert {GAPS8, BITMAP} <= kinds
    assert all(seg.arrays is not None for seg in ranker.segments)  # the update's segment too


def test_updates_merged_by_whoosh_keep_their_arrays(tmp_path):
    """Update after update: Whoosh's writer merges the small segments into the one it writes, and
    that segment's arrays hold every merged document's postings, lengths and dates."""
    from searchkz import Index

    sentences, _source = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path / "corpus", 40, sentences, seed=3, words=80, fmt="txt")
    files = sorted(Path(info.path).rglob("*.txt"))
    ix = Index(tmp_path / "index")
    ix.reindex(info.path, procs=1)
    for i, f in enumerate(files[:8]):
        (f.parent / f"new{i}.txt").write_bytes(f.read_bytes().replace(b"\n", b"\n\n", 1))
        if i % 3 == 2:
            files[20 + i].unlink()
        ix.reindex(info.path, procs=1)
    ranker = ranker_for(ix._open())
    assert len(ranker.segments) < 9, [seg.n for seg in ranker.segments]  # Whoosh merged some segments
    for seg in ranker.segments:
        assert seg.arrays is not None
        for fieldname, fa in seg.arrays.fields.items():
            for i in range(fa.terms.n):
                term = fa.term(i)
                assert dict(zip(*(a.tolist() for a in seg.postings(fieldname, term)))) == _whoosh_postings(
                    seg.sub, seg.offset, fieldname, term), (fieldname, term)
            assert seg.lengths(fieldname).tolist() == [seg.sub.doc_field_length(d, fieldname, 0) or 0
                                                       for d in range(seg.n)]
        days = [seg.sub.stored_fields(d).get("date") for d in range(seg.n)]
        assert seg.arrays.days.tolist() == [NO_DAY if d is None else d.toordinal() - 719163 for d in days]
    assert ix.search("қоғамдық кеңес", limit=5).total > 0


def test_an_update_drops_the_segment_it_emptied(tmp_path):
    """An article changed twice: the second update deletes the first update's only document, and
    that segment leaves the index at once (Whoosh would keep it until five small segments merge)."""
    from searchkz import Index

    sentences, _source = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path / "corpus", 30, sentences, seed=4, words=60, fmt="txt")
    victim = sorted(Path(info.path).rglob("*.txt"))[7]
    ix = Index(tmp_path / "index")
    ix.reindex(info.path, procs=1)
    sizes = []
    for k in range(3):
        victim.write_text(victim.read_text(encoding="utf-8") + f" Өзгеріс {k}.", encoding="utf-8")
        stats = ix.reindex(info.path, procs=1)
        assert stats.updated == 1
        sizes.append([seg.n for seg in ranker_for(ix._open()).segments])
    assert sizes == [[30, 1], [30, 1], [30, 1]]
    assert ix.search("Өзгеріс", limit=5).total == 1
@pytest.mark.parametrize("n", [300, 5000, 70000])  # 70,000 documents: no uint16 document numbers
def test_arrays_round_trip_every_encoding(tmp_path, n):
    """Lists of every density (one posting, sparse, gaps over 255, dense) and frequencies (1, a few,
    over 255) written and read back."""
    from array import array

    from searchkz.arrays import SegmentArrays
    from searchkz.arraywriter import write_arrays

    rng = np.random.default_rng(n)
    terms = {}
    for i, share in enumerate([1 / n, 0.0005, 0.003, 0.02, 0.3, 0.9, 1.0]):
        ids = np.flatnonzero(rng.random(n) < share) if share * n >= 1 else np.array([n - 1])
        freq = np.where(rng.random(len(ids)) < 0.2, rng.integers(2, 300, len(ids)), 1)
        terms[f"т{i}"] = (array("I", ids.tolist()), array("f", (2.0 * freq).tolist()))
    days = rng.integers(-5000, 20000, n).astype(np.int32)
    days[::7] = NO_DAY
    lengths = rng.integers(0, 256, n).astype(np.uint8)
    with open(tmp_path / "a.rka", "wb") as f:
        write_arrays(f, n, {"body": terms}, {"body": 2.0}, {"body": lengths}, days)
    buf = (tmp_path / "a.rka").read_bytes()
    got = SegmentArrays(buf, 0, len(buf))
    fa = got.fields["body"]
    assert got.days.tolist() == days.tolist() and fa.lengths.tolist() == lengths.tolist()
    kinds = set()
    for term, (ids, ws) in terms.items():
        i = fa.find(term)
        kinds.add(int(fa.kind[i]))
        rids, rws = fa.postings(i)
        assert rids.tolist() == list(ids)
        assert rws.tolist() == [min(w, 510.0) for w in ws]  # frequencies are kept up to 255
    assert fa.find("жоқ") == -1 and fa.prefixed("т") == (0, len(terms))
    assert kinds == ({GAPS8, BITMAP} if n > 65536 else {IDS16, GAPS8, BITMAP})


def test_deleted_documents_never_rank(updated):
    ix, queries = updated
    searcher = ix._open()
    ranker = ranker_for(searcher)
    deleted = {seg.offset + d for seg in ranker.segments if seg.live is not None
               for d in np.flatnonzero(~seg.live).tolist()}
    assert deleted
    for q in queries[:40]:
        scores = ranker.scores(build_query(q).qwords)
        assert not deleted & set(np.flatnonzero(scores).tolist()), q


def test_arrays_are_the_same_written_in_chunks(tmp_path, monkeypatch):
    """The writer encodes CHUNK postings at a time (bounded memory): the file is the same."""
    from array import array

    from searchkz import arraywriter

    rng = np.random.default_rng(3)
    n = 3000
    terms = {f"с{i}": (array("I", np.flatnonzero(rng.random(n) < share).tolist() or [0]),) for i, share in
             enumerate([0.001, 0.01, 0.2, 0.7, 0.05, 0.5])}
    terms = {t: (ids, array("f", [float(1 + (d % 3 == 0)) for d in ids])) for t, (ids,) in terms.items()}
    out = []
    for chunk in (arraywriter.CHUNK, 5):
        monkeypatch.setattr(arraywriter, "CHUNK", chunk)
        path = tmp_path / f"{chunk}.rka"
        with open(path, "wb") as f:
            arraywriter.write_arrays(f, n, {"exact": terms}, {"exact": 1.0}, {"exact": np.zeros(n, np.uint8)},
                                     np.zeros(n, np.int32))
        out.append(path.read_bytes())
    assert out[0] == out[1]
