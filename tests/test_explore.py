"""Exploring the bundled corpus: timeline and facets, date order, pages, the outlet filter,
similar articles; the CLI commands over them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkz import Index
from searchkz.cli import main
from searchkz.errors import DocumentNotFoundError, QueryError

A000 = "000_673e680e95f3e0a9.txt"  # 2019-10-10, BAQ.KZ byline
A001 = "001_07369e8b3fe96b32.txt"  # 2019-11-27
A002 = "002_ad8a2653cb24e9f8.txt"  # 2018-10-16
UNDATED = {"003_ef5e74323f016fa6.txt", "004_46335ba148919712.txt"}


@pytest.fixture(scope="module")
def index_dir(seed_index) -> Path:
    return seed_index


@pytest.fixture(scope="module")
def ix(index_dir) -> Index:
    return Index(index_dir)


def run(*args):
    return CliRunner().invoke(main, list(args), env={})


def test_timeline_by_year_counts_undated_apart(ix):
    f = ix.timeline("азаматтық қоғам", by="year")
    assert f.buckets == [("2018", 1), ("2019", 2)]
    assert f.undated == 2 and f.total == 5
    assert f.to_dict() == {"type": "facets", "by": "year", "buckets": [{"key": "2018", "count": 1},
                           {"key": "2019", "count": 2}], "undated": 2, "total": 5, "notices": []}


@pytest.mark.parametrize(
    "by, first, last, length",
    [
        ("month", ("2018-10", 1), ("2019-11", 1), 14),  # empty months between included
        ("week", ("2018-W42", 1), ("2019-W48", 1), 59),
        ("day", ("2018-10-16", 1), ("2019-11-27", 1), 408),
    ],
)
def test_periods_in_time_order_with_empty_ones(ix, by, first, last, length):
    f = ix.facets("азаматтық қоғам", by=by)
    assert f.buckets[0] == first and f.buckets[-1] == last and len(f.buckets) == length
    assert sum(c for _k, c in f.buckets) == 3


def test_timeline_since_until_and_source(ix):
    assert ix.timeline("қоғам", by="year", since="2019-01-01").buckets == [("2019", 2)]
    f = ix.timeline("қоғам", by="year", source="BAQ.KZ")
    assert f.buckets == [("2019", 1)] and f.undated == 0


def test_facets_by_source(ix):
    f = ix.facets("қоғам", by="source")
    assert f.buckets == [("baq.kz", 1)] and f.total == 5


def test_facets_by_source_count_the_articles_without_an_outlet(ix, index_dir):
    """Four of the five seed articles name no outlet: counted apart, as undated ones are per
    period, so that the chart adds up to the total it prints."""
    f = ix.facets("қоғам", by="source")
    assert f.no_source == 4 and sum(c for _k, c in f.buckets) + f.no_source == f.total
    assert f.to_dict()["no_source"] == 4
    res = run("timeline", "қоғам", "--by", "source", "--index", str(index_dir))
    assert [line.split()[:3] for line in res.stdout.splitlines()][:2] == [["baq.kz", "1", "█" * 40], ["no", "outlet", "4"]]


def test_sort_by_date_newest_and_oldest_first_undated_last(ix):
    newest = [h.id for h in ix.search("қоғам", sort="-date")]
    assert newest[:3] == [A001, A000, A002] and set(newest[3:]) == UNDATED
    oldest = [h.id for h in ix.search("қоғам", sort="date")]
    assert oldest[:3] == [A002, A000, A001] and set(oldest[3:]) == UNDATED


def test_pages_cover_the_ranking_with_exact_totals(ix):
    whole = ix.search("қоғам", limit=5)
    pages = [ix.search("қоғам", limit=2, offset=o) for o in (0, 2, 4)]
    assert [h.id for p in pages for h in p] == [h.id for h in whole]
    assert [h.rank for p in pages for h in p] == [1, 2, 3, 4, 5]
    assert {p.total for p in pages} == {whole.total} and pages[2].offset == 4
    assert list(ix.search("қоғам", limit=2, offset=10)) == []


def test_syntax_query_sorted_and_filtered(ix):
    res = ix.search("қоғам* AND форум*", sort="date")
    assert [h.id for h in res][0] == A002
    assert [h.id for h in ix.search("title:диалог OR қоғам*", source="baq.kz")] == [A000]


def test_source_filter(ix):
    assert [h.source for h in ix.search("қоғам", source="baq.kz")] == ["baq.kz"]
    assert list(ix.search("қоғам", source="www.BAQ.kz")) != []
    assert list(ix.search("қоғам", source="egemen.kz")) == []


def test_similar_articles(ix):
    hits = ix.similar(A000, limit=3)
    assert len(hits) == 3 and A000 not in {h.id for h in hits}
    assert [h.rank for h in hits] == [1, 2, 3] and hits[0].score >= hits[-1].score > 0
    with pytest.raises(DocumentNotFoundError):
        ix.similar("no-such-article")


@pytest.mark.parametrize(
    "call",
    [
        lambda ix: ix.search("қоғам", sort="newest"),
        lambda ix: ix.search("қоғам", offset=-1),
        lambda ix: ix.facets("қоғам", by="decade"),
        lambda ix: ix.timeline("қоғам", by="source"),
        lambda ix: ix.timeline("қоғам", since="2020", until="2019"),
        lambda ix: ix.similar(A000, limit=0),
        lambda ix: ix.search("қоғам", source=5),  # (not a filter that matches nothing)
        lambda ix: ix.facets("қоғам", by="source", source=["baq.kz"]),
    ],
)
def test_bad_input_is_a_query_error(ix, call):
    with pytest.raises(QueryError):
        call(ix)


def test_cli_timeline_draws_years_and_undated(index_dir):
    res = run("timeline", "азаматтық қоғам", "--by", "year", "--index", str(index_dir))
    assert res.exit_code == 0, res.output
    lines = [line.split() for line in res.stdout.splitlines()]
    assert [line[:2] for line in lines] == [["2018", "1"], ["2019", "2"], ["undated", "2"]]
    assert lines[1][2].count("█") == 2 * lines[0][2].count("█")


def test_cli_timeline_json(index_dir):
    res = run("timeline", "азаматтық қоғам", "--by", "year", "--json", "--index", str(index_dir))
    obj = json.loads(res.stdout)
    assert obj["buckets"] == [{"key": "2018", "count": 1}, {"key": "2019", "count": 2}] and obj["undated"] == 2


def test_cli_search_sort_page_source(index_dir):
    res = run("search", "қоғам", "--sort", "-date", "--limit", "1", "--page", "2", "--json", "--index", str(index_dir))
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert lines[0]["id"] == A000 and lines[0]["rank"] == 2 and lines[-1]["offset"] == 1
    assert lines[0]["source"] == "baq.kz" and lines[0]["copies"] == [] and lines[0]["group"] is None
    res = run("search", "қоғам", "--source", "nowhere.kz", "--index", str(index_dir))
    assert res.exit_code == 1


def test_cli_similar_and_show(index_dir):
    res = run("similar", A000, "--limit", "2", "--json", "--index", str(index_dir))
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 3
    res = run("show", A000, "--index", str(index_dir))
    tail = res.stdout.split("Similar articles:")[1].strip().splitlines()
    assert [line.split(".")[0].strip() for line in tail] == ["1", "2", "3"]
    res = run("similar", "nope", "--index", str(index_dir))
    assert res.exit_code == 2 and "no article with id 'nope'" in res.stderr


@pytest.mark.parametrize(
    "day, by, label",
    [
        ("2018-12-31", "week", "2019-W01"),  # ISO: the Monday of the first week with a Thursday in 2019
        ("2021-01-03", "week", "2020-W53"),
        ("1970-01-01", "week", "1970-W01"),
        ("1969-12-28", "week", "1969-W52"),  # before the epoch
        ("2019-10-16", "month", "2019-10"),
        ("1969-12-31", "month", "1969-12"),
        ("2020-02-29", "day", "2020-02-29"),
        ("2019-12-31", "year", "2019"),
    ],
)
def test_period_labels(day, by, label):
    from datetime import date

    import numpy as np

    from searchkz.explore import _period_keys

    days = np.array([(date.fromisoformat(day) - date(1970, 1, 1)).days], dtype=np.int64)
    keys, name = _period_keys(days, by)
    assert name(int(keys[0])) == label


def test_similar_after_an_update_is_as_after_a_full_reindex(tmp_path, updated_index_builder):
    """An update leaves its deleted articles in their segments until a merge: the document count,
    the average lengths and so the key terms and scores of similar articles are those of the live
    articles, as after a full reindex of the same corpus (they counted the deleted ones too)."""
    ix, _ = updated_index_builder(tmp_path, 60, seed=5, added=3, deleted=25)
    fresh = Index(tmp_path / "fresh")
    fresh.reindex(ix.stats()["corpus"], full=True, procs=1)
    ids = [h.id for h in fresh.search("жыл OR ел OR адам", limit=12, snippets=False, collapse=False)]
    assert len(ids) == 12
    for doc_id in ids:
        got = [(h.id, round(h.score, 6)) for h in ix.similar(doc_id, limit=5)]
        assert got == [(h.id, round(h.score, 6)) for h in fresh.similar(doc_id, limit=5)], doc_id
