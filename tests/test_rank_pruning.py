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
    return ix, queries


def _exhaustive(ranker: Ranker, words, k: int):
    scores = ranker._scores(words, None, PARAMS)
    return _top(scores, k), len(scores)


@pytest.mark.parametrize("k", [1, 5, 10, 100])
def test_pruned_top_k_equals_the_exhaustive_one(generated, k):
    ix, queries = generated
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


def test_search_results_equal_the_exhaustive_ranking(generated, monkeypatch):
    """Through Index.search (top 10, title boost over the first 100): ids, scores and totals."""
    ix, queries = generated
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


def test_score_many_equals_score_all(generated):
    """A word's scores by binary search in its posting lists are its whole-list scores, bit for bit."""
    ix, queries = generated
    ranker = ranker_for(ix._open())
    for q in queries[:40]:
        for w in build_query(q).qwords:
            ranker._words.clear()
            ranker._words_cached = 0
            ev = ranker._word(w, PARAMS)
            if ev.docs is None:
                continue
            lists = ev.title + ev.body + ev.extra + ev.pref
            every = {d for fieldname, term, _f in lists for d in ranker.plist(fieldname, term)[0]}
            assert len(every) == ev.matches
            docs = sorted(every)[::3] + [10**6]  # and a document without evidence
            some = ranker._score_many(ev, sorted(docs), PARAMS)
            full = ranker._word_scores_of(ev, PARAMS)[1]
            assert some == {d: full[d] for d in docs if d in full}
