"""MaxScore pruning of the top-k (searchkz.rank.Ranker._top_pruned) gives exactly the exhaustive
ranking: the same documents, the same scores (to the bit), the same number of matches."""

from __future__ import annotations

import pytest

from searchkz import Index
from searchkz.bench import speed
from searchkz.rank import PARAMS, Ranker, _top, ranker_for
from searchkz.search import build_query


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """400 articles made of the bundled corpus's Kazakh sentences (as the speed benchmark makes them)
    plus queries of 1-4 of their words drawn by frequency: flat score distributions, many matches."""
    d = tmp_path_factory.mktemp("gen")
    sentences, _source = speed.load_sentences(None)
    info = speed.build_corpus(d / "corpus", 400, sentences, seed=7, words=120, fmt="jsonl")
    ix = Index(d / "index")
    ix.reindex(info.path, procs=1)
    queries = speed.make_queries(sentences, 150, seed=3)
    queries += ["Абай", "қазақ тілі", "Абай жолы романы", "мектеп оқушылары туралы", "жылы болды"]
    queries += ["когамдык кенес", "qazaq tili", "жыл жылы жылдары"]  # respelled words: not bounded
    return ix, queries


def _exhaustive(ranker: Ranker, words, k: int):
    scores = ranker._scores(words, None, PARAMS)
    return _top(scores, k), len(scores)


#: Ranker.BOUND_MIN: the top k through byte-plane bounds for every query (0), or never (MaxScore alone).
BOUNDS = pytest.mark.parametrize("bound_min", [0, 10**12], ids=["bounds", "maxscore"])


@BOUNDS
@pytest.mark.parametrize("k", [1, 5, 10, 100])
def test_pruned_top_k_equals_the_exhaustive_one(generated, k, bound_min, monkeypatch, bounded_calls):
    ix, queries = generated
    monkeypatch.setattr(Ranker, "BOUND_MIN", bound_min)
    ranker = ranker_for(ix._open())
    pruned_words = 0
    for q in queries:
        words = build_query(q).qwords
        ranker._words.clear()
        ranker._words_cached = 0
        top, scores, total = ranker._top_pruned(words, k, PARAMS)
        # words the pruning never scored whole
        pruned_words += sum(ranker._word(w, PARAMS).scores is None for w in words if ranker._word(w, PARAMS).docs)
        assert all(scores[d] == s for d, s in top)
        assert (top, total) == _exhaustive(ranker, words, k), q
    if k <= 10:
        assert pruned_words > 0  # the pruning did prune
    if bound_min == 0:
        assert sum(bounded_calls) > len(queries) // 2  # the bounds did rank most queries
    else:
        assert not bounded_calls


@BOUNDS
def test_search_results_equal_the_exhaustive_ranking(generated, monkeypatch, bound_min):
    """Through Index.search (top 10, title boost over the first 100): ids, scores and totals."""
    ix, queries = generated
    ix.close()
    monkeypatch.setattr(Ranker, "BOUND_MIN", bound_min)
    got = [(q, ix.search(q, limit=10, snippets=False)) for q in queries[:60]]

    def exhaustive(self, words, k, p):
        scores = self._scores(words, None, p)
        return _top(scores, k), scores, len(scores)

    monkeypatch.setattr(Ranker, "_top_pruned", exhaustive)
    ix.close()  # a new searcher: no cached word scores
    for q, res in got:
        want = ix.search(q, limit=10, snippets=False)
        assert [(h.id, h.score) for h in res] == [(h.id, h.score) for h in want], q
        assert res.total == want.total, q


def _words_of(ranker: Ranker, queries: list[str]):
    """The evidence of each word of the queries with evidence, read afresh (no cached scores)."""
    for q in queries:
        for w in build_query(q).qwords:
            ranker._words.clear()
            ranker._words_cached = 0
            ev = ranker._word(w, PARAMS)
            if ev.docs is not None:
                yield ev


def test_score_many_equals_score_all(generated):
    """A word's scores by binary search in its posting lists are its whole-list scores, bit for bit."""
    ix, queries = generated
    ranker = ranker_for(ix._open())
    for ev in _words_of(ranker, queries[:40]):
        lists = ev.title + ev.body + ev.extra + ev.pref
        every = {d for fieldname, term, _f in lists for d in ranker.plist(fieldname, term)[0]}
        assert len(every) == ev.matches
        docs = sorted(every)[::3] + [10**6]  # and a document without evidence
        some = ranker._score_many(ev, sorted(docs), PARAMS)
        full = ranker._word_scores_of(ev, PARAMS)[1]
        assert some == {d: full[d] for d in docs if d in full}


@pytest.mark.parametrize(
    "weights, want",
    [
        ([1.0, 2.0, 3.0], b"\x01\x02\x03"),
        ([4.0, 5.0, 7.0, 8.0, 15.0, 16.0, 31.0, 32.0, 33.0, 100.0, 255.0], bytes([4, 5, 7, 8, 15, 16, 31, 32, 33, 100, 255])),
        ([1.5], None),  # not a whole number
        ([2.0, 2.25], None),
        ([256.0], None),  # more than a byte
        ([0.0], None),  # a posting has a weight
        ([1.0000001], None),  # the low bytes of the float
    ],
)
def test_whole_bytes(weights, want):
    from array import array

    from searchkz.planes import whole_bytes

    assert whole_bytes(array("f", weights)) == want


def test_whole_bytes_every_byte():
    from array import array

    from searchkz.planes import whole_bytes

    assert whole_bytes(array("f", [float(v) for v in range(1, 256)])) == bytes(range(1, 256))


@BOUNDS
def test_dense_look_ups_equal_score_all(generated, bound_min, monkeypatch):
    """A word's scores in some documents read from its dense lists (_score_many) are its whole-list scores."""
    ix, queries = generated
    ranker = ranker_for(ix._open())
    monkeypatch.setattr(ranker, "DENSE_SHARE", 16 if bound_min else 10**9)  # (10**9: every list dense)
    ranker._dense.clear()
    for ev in _words_of(ranker, queries[:40]):
        for fieldname, term, _f in ev.title + ev.body + ev.extra + ev.pref:
            ranker.dense(fieldname, term)
        full = ranker._word_scores_of(ev, PARAMS)[1]
        docs = sorted(full)[::2]
        assert ranker._score_many(ev, docs, PARAMS) == {d: full[d] for d in docs}


@pytest.fixture(scope="module")
def updated(tmp_path_factory, updated_index_builder):
    """300 articles in two segments, then 30 deleted and 20 added (a third segment, deletions)."""
    ix, sentences = updated_index_builder(tmp_path_factory.mktemp("upd"), 300, seed=9, added=20, deleted=30)
    return ix, speed.make_queries(sentences, 80, seed=4)


def test_bounds_with_segments_and_deletions(updated, monkeypatch, bounded_calls):
    """The bounded top k on an index of three segments with deleted documents is the exhaustive one."""
    ix, queries = updated
    monkeypatch.setattr(Ranker, "BOUND_MIN", 0)
    ranker = ranker_for(ix._open())
    assert len(ranker._leaves) >= 3 and ranker.reader.has_deletions()
    for q in queries:
        words = build_query(q).qwords
        ranker._words.clear()
        ranker._words_cached = 0
        top, scores, total = ranker._top_pruned(words, 10, PARAMS)
        assert (top, total) == _exhaustive(ranker, words, 10), q
    assert sum(bounded_calls) > len(queries) // 2


def test_lane_sum_is_exact_and_saturates(generated):
    """A word's evidence in twentieths, a byte a document: the lists' weights times their factors
    summed, at most 255; a factor that is not a whole number of twentieths: None (the ranking falls
    back to MaxScore)."""
    ix, _queries = generated
    ranker = ranker_for(ix._open())
    terms = sorted(((ranker.doc_frequency("body", t), t) for t in ("жыл", "қазақ", "тіл", "мектеп", "абай")), reverse=True)
    for lists in (
        [("body", terms[0][1], 1.0), ("body", terms[1][1], 0.35), ("body", terms[-1][1], 0.3)],
        [("body", terms[0][1], 0.3), ("exact", "жылы", 0.35)],
        [("body", t, 1.0) for _df, t in terms] * 3,
        [("body", terms[0][1], 1.0)] * 13,  # 255 wherever the word is
    ):
        want = [0] * ranker._n
        for fieldname, term, f in lists:
            for d, w in zip(*ranker.plist(fieldname, term)):
                want[d] += round(f * 20) * int(w)
        assert list(ranker._lane_sum(lists)) == [min(v, 255) for v in want]
        assert any(ranker.dense(fn, t) for fn, t, _f in lists)
    assert set(ranker._lane_sum(lists)) == {0, 255}
    assert ranker._lane_sum([("body", terms[0][1], 0.61)]) is None  # not a whole number of twentieths


@pytest.mark.parametrize(
    "a, b",
    [
        ([0, 1, 127, 128, 200, 255, 255, 0], [0, 1, 127, 128, 55, 1, 255, 255]),
        ([254, 100, 129, 0x7F, 0x80, 3], [1, 155, 127, 0x80, 0x7F, 250]),
    ],
)
def test_saturating_add(generated, a, b):
    """Lane by lane min(a + b, 255), no carry leaking into the next lane."""
    ix, _queries = generated
    ranker = Ranker(ix._open())
    n = ranker._n
    pa, pb = bytes(a) + bytes(n - len(a)), bytes(b) + bytes(n - len(b))
    got = ranker._saturating_add(int.from_bytes(pa, "little"), int.from_bytes(pb, "little")).to_bytes(n, "little")
    assert list(got) == [min(x + y, 255) for x, y in zip(pa, pb)]


def test_prefix_look_ups_from_the_lexicon_in_memory(generated):
    """Once a field's terms are in memory (after LEXICON_AFTER ranked queries), prefixes are
    answered from them: the same terms, in the same order, as Whoosh's term table gives."""
    ix, queries = generated
    searcher = ix._open()
    table, memory = Ranker(searcher), Ranker(searcher)
    words = build_query(queries[0]).qwords
    memory.rank(words)
    assert memory._lexicon("exact") is None  # not in the first query (a one-shot search)
    memory.rank(words)
    table.LEXICON_AFTER = 10**9
    words = [t.decode("utf-8") for t in searcher.reader().lexicon("exact")][::7]
    prefixes = {w[:n] for w in words for n in (1, 2, 3, 5)} | {"", "zz", "қазақ", "яяя", "\U0010ffff"}
    for field in ("exact", "body", "title"):
        for prefix in sorted(prefixes):
            assert memory.expand_prefix(field, prefix) == table.expand_prefix(field, prefix), (field, prefix)
            assert memory.has_prefix(field, prefix) == table.has_prefix(field, prefix), (field, prefix)
    assert memory._lexicons and not table._lexicons


def test_levels_of_lane_sums(generated):
    """A document's byte: its length class above the level of its evidence."""
    from searchkz.rank import _LEVEL_OF

    ix, _queries = generated
    ranker = ranker_for(ix._open())
    values = [0, 1, 6, 7, 100, 254, 255, 31]
    sums = bytes(values[d % len(values)] for d in range(ranker._n))
    got = ranker._levels(sums, "body", PARAMS)
    classes = ranker._class_plane("body", PARAMS)[0].to_bytes(ranker._n, "little")
    assert list(got) == [c | _LEVEL_OF[v] for c, v in zip(classes, sums)]
    assert len(set(classes)) > 4  # (the classes are there to keep)
    assert _LEVEL_OF[255] == 31 and _LEVEL_OF[0] == 0


@pytest.mark.parametrize("t, want", [(0, 8), (1, 6), (2, 5), (3, 4), (200, 2), (255, 1)])
def test_count_at_least(t, want):
    from searchkz.rank import _count_at_least

    assert _count_at_least(bytes([0, 0, 1, 2, 3, 200, 255, 3]), t) == want


def test_titles_in_memory_equal_the_column(updated):
    """From the second title-boost query on, titles come from the column read whole: the same."""
    from searchkz.rank import _title_column, _titles_in_memory

    ix, queries = updated
    reader = ix._open().reader()
    whole, column = _titles_in_memory(reader), _title_column(reader)
    titles = [column(d) for d in range(reader.doc_count_all())]
    assert [whole(d) for d in range(reader.doc_count_all())] == titles
    assert sum(map(bool, titles)) > len(titles) // 2
    ranker = Ranker(ix._open())
    for q in queries[:3]:
        ranker.rank(build_query(q).qwords)
    assert ranker._titles_whole and ranker._title_column is ranker._titles_whole


def test_term_tables_in_memory_answer_as_the_files(updated):
    """From the second ranked query on, each segment's term table is read from memory: the same
    term infos and the same answers to "has it this term?"."""
    from searchkz.rank import _term_tables_in_memory

    ix, queries = updated
    from_file = Index(ix.path)._open().reader()  # (fresh readers: not the fixture's, used before)
    in_memory = Index(ix.path)._open().reader()
    assert not any(getattr(sub._terms, "_searchkz_in_memory", False) for sub, _o in from_file.leaf_readers())
    _term_tables_in_memory(in_memory)
    pairs = list(zip(from_file.leaf_readers(), in_memory.leaf_readers()))
    assert len(pairs) >= 3 and all(b._terms._searchkz_in_memory for (_a, _o), (b, _p) in pairs)
    for (a, _o), (b, _p) in pairs:
        for fieldname in ("body", "exact", "title"):
            terms = list(a.lexicon(fieldname))[::5]
            assert terms
            for t in terms + [b"\xd0\xb6\xd0\xbe\xd2\x9b-\xd1\x81\xd3\xa9\xd0\xb7"]:  # (and one no segment has)
                assert ((fieldname, t) in a) == ((fieldname, t) in b)
                if (fieldname, t) in a:
                    x, y = a.term_info(fieldname, t), b.term_info(fieldname, t)
                    assert (x.doc_frequency(), x.extent(), x.weight()) == (y.doc_frequency(), y.extent(), y.weight())
    ranker = Ranker(Index(ix.path)._open())
    ranker.rank(build_query(queries[0]).qwords)
    assert not any(getattr(sub._terms, "_searchkz_in_memory", False) for sub, _o in ranker.reader.leaf_readers())
    ranker.rank(build_query(queries[1]).qwords)
    assert all(getattr(sub._terms, "_searchkz_in_memory", False) for sub, _o in ranker.reader.leaf_readers())
