"""Bounded syntax queries (searchkz.bounds): capped expansions with notices, a clause limit,
a time budget, and exact totals -- checked against Whoosh's own document sets on a small
index with deletions, and by a hypothesis property over generated syntax queries."""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkz import Index, QueryError
from searchkz.bounds import MAX_CLAUSES, MAX_EDITS, MAX_EXPANSIONS, bound_query
from searchkz.cli import main
from searchkz.search import build_query

NO_LIMIT = 10**6


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, updated_index_builder):
    """80 generated articles in two segments, then 6 added and 5 deleted (deletions count)."""
    d = tmp_path_factory.mktemp("bounds")
    updated_index_builder(d, 80, seed=16, added=6, deleted=5)
    return d / "index"


@pytest.fixture(scope="module")
def ix(index_dir):
    with Index(index_dir) as ix:
        yield ix


@pytest.fixture(scope="module")
def vocab(ix):
    """Frequent body stems of the fixture index (query material)."""
    reader = ix._open().reader()
    pairs = [(t.decode(), i.doc_frequency()) for t, i in reader.iter_field("body")]
    words = [t for t, n in sorted(pairs, key=lambda p: -p[1]) if re.fullmatch(r"[а-яәғқңөұүһі]{2,}", t)]
    return words[:60]


def _docs(ix, q) -> set:
    return set(ix._open().docs_for_query(q))


def _bounded(ix, text):
    plan = build_query(text)
    return bound_query(plan.query, ix._open().reader(), time.perf_counter() + 30)


# -- expansions ----------------------------------------------------------------

CAPPED = [  # (query, what the notice says)
    ("а*", "searched the 50"),
    ("*а*", "searched the 50"),
    ("[а TO я]", "searched the 50"),
    ("body:[а TO я]", "searched the 50"),
    ("қ*", "searched the 50"),
    ("exact:*а", "searched the 50"),
]


@pytest.mark.parametrize("query, said", CAPPED)
def test_wide_patterns_keep_the_most_frequent_terms(ix, query, said):
    res = ix.search(query, limit=5, timeout=30)
    assert any(said in n for n in res.notices), res.notices
    q, notices = _bounded(ix, query)
    terms = [leaf for leaf in q.leaves()]
    assert len(terms) == MAX_EXPANSIONS
    # the kept terms are the most frequent of all the pattern matches
    reader = ix._open().reader()
    field = terms[0].fieldname
    kept = min(reader.doc_frequency(field, t.text) for t in terms)
    plan = build_query(query)
    every = [t.decode() for _f, t in plan.query.expanded_terms(reader)]
    dropped = set(every) - {t.text for t in terms}
    assert dropped and max(reader.doc_frequency(field, t) for t in dropped) <= kept
    assert res.total == len(_docs(ix, q)) <= ix.doc_count()


@pytest.mark.parametrize(
    "query, maxdist",
    [("қазақ~9", MAX_EDITS), ("кеңес~2", 2), ("кеңес~", 1), ("ел~1", 1)],
)
def test_fuzzy_terms_within_the_edit_limit(ix, query, maxdist):
    from searchkz.search import _edit_distance

    q, notices = _bounded(ix, query)
    word = query.split("~")[0]
    stem = build_query(query).query.text
    for leaf in [q] if q.is_leaf() else q.leaves():
        assert _edit_distance(stem, leaf.text) <= maxdist
    assert ("edit distance lowered" in " ".join(notices)) == ("~9" in query)
    assert word


def test_leading_wildcard_matches_like_whoosh(ix):
    """A leading wildcard is looked up in memory; its terms are Whoosh's own (fewer than the cap here)."""
    reader = ix._open().reader()
    plan = build_query("*лық")
    whoosh_terms = {t.decode() for _f, t in plan.query.expanded_terms(reader)}
    q, notices = _bounded(ix, "*лық")
    ours = {leaf.text for leaf in ([q] if q.is_leaf() else q.leaves())}
    assert 0 < len(whoosh_terms) <= MAX_EXPANSIONS and ours == whoosh_terms and not notices


def test_too_many_terms_refused(ix):
    words = [a + b + c for a in "бгджзклмнпрстш" for b in "әөүіұқ" for c in "рлнтзшб"]
    query = " ".join(words[:480]) + " OR қоғам"  # a word is three terms: body, title, exact
    assert len(query) <= 2000 and len(list(build_query(query).query.leaves())) > MAX_CLAUSES
    with pytest.raises(QueryError, match="at most 1,024"):
        ix.search(query, timeout=30)


def test_too_many_pattern_terms_refused_before_any_is_read(ix):
    """A 2,000-character OR of prefixes stands for thousands of terms: refused once its patterns'
    terms are counted, no posting list read (on 100,000 articles reading them ran past the budget)."""
    from searchkz.rank import ranker_for

    query = " OR ".join(f"*{c}* exact:*{c}* title:*{c}*" for c in "аәбгдежзийкқлмнңоөпрстуұүхіы")
    ix.search("қоғам")  # (the first search reads the copy groups' ids)
    ranker = ranker_for(ix._open())
    before = ranker.postings_read
    with pytest.raises(QueryError, match=r"patterns stand for [\d,]+ terms, at most 1,024"):
        ix.search(query, timeout=30)
    assert ranker.postings_read == before


def test_huge_slop_phrase_counts_what_it_shows(ix):
    res = ix.search('"а б в г"~1000', limit=5)
    assert res.total == len(res) == 0


# -- totals --------------------------------------------------------------------

EXACT = ["қоғам AND кеңес", "қоғам OR кеңес", "қоғам NOT кеңес", "title:қоғам", '"қоғамдық кеңес"',
         "date:[2019 TO 2021]", "date:[2019 TO]", "NOT қоғам", "(ұйым OR қоғам) AND NOT бұл",
         # date ranges read from the segments' days array: day bounds, open ends, excluded ends
         "date:[TO 2019]", "date:{2019-01-01 TO 2020-01-01}", "date:[2019-03-05 TO 2019-03-05]",
         "date:{2018-12-31 TO 2019-06-30]", "date:[2019-06-01T12:00 TO 2020-02-01T00:00}", "date:[1900 TO 2100]"]


@pytest.mark.parametrize("query", EXACT)
def test_totals_are_whooshs_document_sets(ix, query):
    """Without wide patterns nothing is narrowed: the total is exactly Whoosh's set of documents."""
    plan = build_query(query)
    res = ix.search(query, limit=3, snippets=False, collapse=False)
    assert res.notices == [] and not res.partial
    assert res.total == len(_docs(ix, plan.query)) <= ix.doc_count()
    assert len(res) == min(3, res.total)


def test_totals_with_dates(ix):
    res = ix.search("қоғам OR кеңес", limit=NO_LIMIT, since="2019-01-01", until="2020-12-31", snippets=False,
                    collapse=False)
    assert res.total == len(res) == len({h.id for h in res})
    assert all(h.date is None or 2019 <= h.date.year <= 2020 for h in res)


def test_free_text_totals_are_honest(ix):
    for q in ("қоғамдық кеңес", "жыл", "ұйым мен қоғам"):
        res = ix.search(q, limit=NO_LIMIT, snippets=False, collapse=False)
        assert res.total == len(res) <= ix.doc_count()
        few = ix.search(q, limit=2, snippets=False, collapse=False)
        assert few.total == res.total and len(few) == min(2, res.total)


# -- time budget ---------------------------------------------------------------

def test_time_budget_gives_partial_results(ix):
    res = ix.search("а* OR е* OR к*", limit=5, timeout=1e-6)
    assert res.partial and "time budget" in res.notices[-1]
    assert len(res) <= res.total <= ix.doc_count()
    again = ix.search("қоғам AND кеңес", limit=3, snippets=False)  # the searcher still works after the alarm
    assert again.total == len(_docs(ix, build_query("қоғам AND кеңес").query))


@pytest.mark.parametrize("bad", [0, -1, "soon", float("nan")])
def test_bad_timeouts(ix, bad):
    with pytest.raises(QueryError, match="timeout"):
        ix.search("қоғам", timeout=bad)


def test_cli_notices_json_and_timeout(index_dir):
    r = CliRunner().invoke(main, ["search", "а*", "--index", str(index_dir), "--json", "--limit", "2"])
    assert r.exit_code == 0
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["partial"] is False and "searched the 50" in summary["notices"][0]
    assert summary["hits"] == min(2, summary["total"])
    r = CliRunner().invoke(main, ["search", "а* OR к*", "--index", str(index_dir), "--timeout", "0.000001"])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines()[-1].startswith("searchkz: error: the time budget of 1e-06 s ran out")


# -- property: total = distinct documents with no limit, <= the document count --

def _queries(words):
    word = st.sampled_from(words)
    leaf = st.one_of(
        word,
        word.map(lambda w: w[:2] + "*"),
        word.map(lambda w: "*" + w[-2:]),
        word.map(lambda w: w[:1] + "?" + w[2:] if len(w) > 2 else w),
        st.tuples(word, st.integers(1, 3)).map(lambda p: f"{p[0]}~{p[1]}"),
        st.tuples(st.sampled_from(["title:", "body:", "exact:"]), word).map("".join),
        st.tuples(word, word, st.integers(0, 50)).map(lambda p: f'"{p[0]} {p[1]}"~{p[2]}'),
        st.tuples(word, word).map(lambda p: f"[{min(p)} TO {max(p)}]"),
        st.sampled_from(["date:[2019 TO 2020]", "date:[2020 TO]", "date:[TO 2019]"]),
    )
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.tuples(kids, st.sampled_from([" AND ", " OR ", " NOT ", " "]), kids).map("".join),
            kids.map(lambda k: f"({k})"),
        ),
        max_leaves=6,
    )


def test_property_total_is_the_number_of_distinct_documents(ix, vocab):
    n_docs = ix.doc_count()

    @settings(max_examples=int(os.environ.get("SEARCHKZ_BOUNDS_EXAMPLES", 500)), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(q=_queries(vocab), limit=st.integers(1, 5))
    def check(q, limit):
        try:
            everything = ix.search(q, limit=NO_LIMIT, snippets=False, timeout=60, collapse=False)
        except QueryError:
            return
        assert not everything.partial
        ids = [h.id for h in everything]
        assert len(set(ids)) == len(ids) == everything.total <= n_docs
        top = ix.search(q, limit=limit, snippets=False, timeout=60, collapse=False)
        assert top.total == everything.total and len(top) == min(limit, top.total)
        assert [h.id for h in top] == ids[: len(top)]

    check()


def test_highlight_of_a_pattern_reads_the_bounded_terms(ix):
    hit = ix.search("а*", limit=1)[0]
    text = ix.get(hit.id).text
    spans = ix.highlight(text, "а*")
    assert spans and all(text[s:e].lower().startswith("а") for s, e in spans)


def test_long_free_text_ranked_by_its_rarest_words(ix, vocab):
    from searchkz.bounds import MAX_FREE_WORDS

    query = " ".join(vocab[: MAX_FREE_WORDS + 10])
    res = ix.search(query, limit=5, snippets=False)
    assert any(f"ranked by the {MAX_FREE_WORDS}" in n for n in res.notices)
    assert len(res) == min(5, res.total) and res.total <= ix.doc_count()
    short = ix.search(" ".join(vocab[:5]), limit=5, snippets=False)
    assert short.notices == []
