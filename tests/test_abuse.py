"""Bad input met at the edges: a corpus line, a terminal, an argument, an update's deletions.

Each case is a defect found by driving the CLI, the Python API and the HTTP API with hostile
input; the texts are the bundled corpus's own articles.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import numpy as np
import pytest

from searchkz import Index
from searchkz.corpus import Problem, read_corpus
from searchkz.errors import DocumentNotFoundError, QueryError
from searchkz.outlet import normalize
from searchkz.render import terminal_safe

GOOD = {"id": "g1", "title": "Қоғамдық кеңес", "text": "Қоғамдық кеңестің отырысы өтті."}


def _jsonl(path, *lines: bytes) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _read(root):
    got = list(read_corpus(root))
    return [a for a in got if not isinstance(a, Problem)], [p for p in got if isinstance(p, Problem)]


def test_a_nul_byte_skips_its_line_not_the_file(tmp_path):
    good = [json.dumps({**GOOD, "id": f"g{i}"}, ensure_ascii=False).encode() for i in range(3)]
    _jsonl(tmp_path / "feed.jsonl", good[0], b'{"id":"n","title":"a\x00b","text":"x"}', good[1], good[2])
    arts, problems = _read(tmp_path)
    assert [a.id for a in arts] == ["g0", "g1", "g2"]
    assert [(p.source, p.fatal) for p in problems] == [("feed.jsonl:2", True)]
    assert "NUL" in problems[0].reason


def test_a_binary_file_named_jsonl_is_still_one_problem(tmp_path):
    (tmp_path / "image.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    arts, problems = _read(tmp_path)
    assert arts == [] and [(p.source, p.reason) for p in problems] == [("image.jsonl", "binary file (NUL bytes)")]


def test_a_lone_surrogate_escape_is_replaced_and_the_article_searchable(tmp_path):
    line = '{"id":"s1","title":"Жаңалық \\ud83d","text":"Қоғамдық кеңес отырысы өтті \\ud83d\\ude00.","tag":["\\udc00"]}'
    (tmp_path / "c").mkdir()
    _jsonl(tmp_path / "c" / "feed.jsonl", line.encode())
    arts, problems = _read(tmp_path / "c")
    assert arts[0].title == "Жаңалық \ufffd"
    assert arts[0].body.endswith("өтті \U0001F600.")  # (a whole pair is one character, kept)
    assert arts[0].metadata == {"tag": ["\ufffd"]}
    assert [p.fatal for p in problems] == [False] and "surrogate" in problems[0].reason
    ix = Index(tmp_path / "ix")
    ix.reindex(tmp_path / "c", procs=1)
    hit = ix.search("кеңес")[0]
    json.dumps(hit.to_dict(), ensure_ascii=False).encode("utf-8")  # (raised UnicodeEncodeError before)
    assert ix.get("s1").title == "Жаңалық \ufffd"


@pytest.mark.parametrize("raw, shown", [
    ("Мәтін \x1b]0;PWNED\x07 тақырып", "Мәтін \ufffd]0;PWNED\ufffd тақырып"),
    ("экран\x1b[2J", "экран\ufffd[2J"),
    ("жол\rбасы", "жол\ufffdбасы"),
    ("C1 \x9b31m қызыл", "C1 \ufffd31m қызыл"),
    ("қалады:\tтаб\nжаңа жол", "қалады:\tтаб\nжаңа жол"),
])
def test_terminal_safe_replaces_controls_one_for_one(raw, shown):
    assert terminal_safe(raw) == shown and len(terminal_safe(raw)) == len(raw)


def test_search_and_show_print_no_escape_sequences(tmp_path):
    (tmp_path / "c").mkdir()
    doc = {"id": "e1\x1b[2J", "title": "Мәтін \x1b]0;PWNED\x07 тақырып", "source": "ev\x1bil.kz",
           "text": "Бұл мәтін \x1b[2J экранды тазалайды."}
    _jsonl(tmp_path / "c" / "e.jsonl", json.dumps(doc, ensure_ascii=False).encode())
    Index(tmp_path / "ix").reindex(tmp_path / "c", procs=1)
    for args in (["search", "мәтін"], ["show", "e1\x1b[2J"]):
        out = subprocess.run([sys.executable, "-m", "searchkz", *args, "--index", str(tmp_path / "ix"),
                              "--color", "always"], capture_output=True, timeout=120)
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode()
        assert "PWNED" in text and "\x07" not in text and "\x1b]" not in text and "\x1b[2J" not in text


def test_incremental_update_with_deletions_ranks_as_a_full_reindex(tmp_corpus, tmp_path):
    """Whoosh's field totals still count deleted documents: the average lengths must not."""
    inc, full = Index(tmp_path / "inc"), Index(tmp_path / "full")
    inc.reindex(tmp_corpus, procs=1)
    for name in ("000_673e680e95f3e0a9.txt", "001_07369e8b3fe96b32.txt"):
        (tmp_corpus / name).unlink()
    inc.reindex(tmp_corpus, procs=1)
    full.reindex(tmp_corpus, procs=1, full=True)
    for q in ("азаматтық қоғам ұйымдары", "қоғамдық кеңес", "үкіметтік емес ұйымдар", "Шымкент"):
        a, b = inc.search(q, limit=10), full.search(q, limit=10)
        assert [h.id for h in a] == [h.id for h in b], q
        assert np.allclose([h.score for h in a], [h.score for h in b], rtol=2e-3), q


def test_total_is_not_raised_by_a_page_past_the_end(seed_index):
    ix = Index(seed_index)
    total = ix.search("ҮЕҰ", limit=2).total
    assert total == 3
    assert ix.search("ҮЕҰ", limit=2, offset=2).total == total
    past = ix.search("ҮЕҰ", limit=2, offset=4)
    assert len(past) == 0 and past.total == total


@pytest.mark.parametrize("call", [
    lambda ix: ix.search("қоғам", limit="5"),
    lambda ix: ix.search("қоғам", limit=2.5),
    lambda ix: ix.search("қоғам", limit=True),
    lambda ix: ix.search("қоғам", offset=-1),
    lambda ix: ix.search("қоғам", offset=None),
    lambda ix: ix.similar("003_ef5e74323f016fa6.txt", limit="3"),
    lambda ix: ix.highlight(None, "қоғам"),
    lambda ix: ix.search("қоғам AND кеңес", timeout=float("inf")),
    lambda ix: ix.search("қоғам", timeout=1e300),
    lambda ix: ix.search("қоғам", timeout=float("nan")),
])
def test_bad_argument_types_raise_query_error(seed_index, call):
    with pytest.raises(QueryError):
        call(Index(seed_index))


def test_ids_that_no_article_can_have_find_nothing(seed_index):
    ix = Index(seed_index)
    assert ix.get(None) is None and ix.get(5) is None and ix.get("\udcff") is None
    with pytest.raises(DocumentNotFoundError):
        ix.similar("\udcff")
    assert len(ix.search("кеңес", limit=np.int64(2))) == 2


def test_an_aware_datetime_bounds_by_its_wall_time(seed_index):
    ix = Index(seed_index)
    naive = ix.search("қоғам", since=datetime(2019, 1, 1)).total
    assert ix.search("қоғам", since=datetime(2019, 1, 1, tzinfo=timezone.utc)).total == naive


def test_facets_bound_patterns_as_search_does(tmp_corpus, tmp_path):
    ix = Index(tmp_path / "ix")
    ix.reindex(tmp_corpus, procs=1)
    from searchkz.bounds import MAX_EXPANSIONS

    q = "body:[а TO я]"
    res, facets = ix.search(q, limit=10), ix.facets(q, by="year")
    assert facets.total == res.total
    assert facets.notices == res.notices and f"{MAX_EXPANSIONS}" in facets.notices[0]
    assert ix.timeline(q, by="year").to_dict()["notices"] == res.notices


@pytest.mark.parametrize("name, stored", [
    ("WWW.Baq.kz", "baq.kz"), ("Www.Inform.Kz", "inform.kz"), ("www.inform.kz", "inform.kz"),
    ("INFORM.KZ", "inform.kz"), ("Kazinform", "Kazinform"), ("wwwx.kz", "wwwx.kz"),
])
def test_outlet_domains_ignore_the_case_of_www(name, stored):
    assert normalize(name) == stored


@pytest.mark.parametrize("args, says", [
    (["search", "кеңес", "--limit", "0"], "'--limit'"),
    (["search", "кеңес", "--sort", "foo"], "'--sort'"),
    (["timeline", "кеңес", "--by", "hour"], "'--by'"),
    (["nosuch"], "nosuch"),
])
def test_usage_errors_are_one_line(seed_index, args, says):
    where = ["--index", str(seed_index)] if args != ["nosuch"] else []
    out = subprocess.run([sys.executable, "-m", "searchkz", *args, *where], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searchkz: error: ") and says in lines[0], out.stderr


def test_plain_searchkz_still_shows_the_help():
    out = subprocess.run([sys.executable, "-m", "searchkz"], capture_output=True, text=True, timeout=120)
    shown = out.stdout + out.stderr
    assert "Usage:" in shown and "COMMAND" in shown and "error" not in shown


@pytest.mark.parametrize("since", ["2019-00", "2019-13", "0000", "2019-W01", "2019-02-30"])
def test_a_date_filter_with_no_such_month_or_year_is_refused(seed_index, since):
    with pytest.raises(QueryError, match="cannot read the date"):
        Index(seed_index).search("қоғам", since=since)


@pytest.mark.parametrize("short, full", [("0001", "0001-01-01"), ("9999", "9999-12-31"), ("1700-02", "1700-02-01"),
                                         ("2019", "2019-01-01T00:00")])
def test_a_year_and_its_first_or_last_day_bound_alike(seed_index, short, full):
    """A bound the year form accepts is accepted written as a day too (a year before the corpus
    reader's plausible ones included)."""
    ix = Index(seed_index)
    key = "until" if short == "9999" else "since"
    got = [[h.id for h in ix.search("қоғам", limit=10, snippets=False, **{key: b})] for b in (short, full)]
    assert got[0] == got[1] and got[0]


def test_a_binary_topics_file_is_one_line_error(seed_index, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_bytes(b"q1\t\xff\xfe\x00\x89PNG")
    out = subprocess.run([sys.executable, "-m", "searchkz", "search", "--topics", str(topics), "--index", str(seed_index)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.strip().splitlines() == [
        f"searchkz: error: cannot read {topics}: not UTF-8 text (a TSV of qid<TAB>query)"]


@pytest.mark.parametrize("title, stored, warned", [
    (["тізім"], "", True), ({"kk": "Жаңалық"}, "", True), (True, "", True), (2019, "2019", False), (None, "", False),
])
def test_a_title_that_is_not_text_is_not_stored_as_its_repr(tmp_path, title, stored, warned):
    line = json.dumps({"id": "t1", "title": title, "text": "Қоғамдық кеңес отырысы өтті."}, ensure_ascii=False)
    _jsonl(tmp_path / "feed.jsonl", line.encode())
    arts, problems = _read(tmp_path)
    assert arts[0].title == stored and arts[0].body == "Қоғамдық кеңес отырысы өтті."
    assert [("not a string" in p.reason, p.fatal) for p in problems] == ([(True, False)] if warned else [])


@pytest.mark.parametrize("q", ["date:[now TO]", "date:[TO now]"])
def test_an_open_date_range_with_now_says_how_to_write_it(seed_index, q):
    with pytest.raises(QueryError, match=r"write both ends: date:\[2019 TO now\]"):
        Index(seed_index).search(q)
    assert Index(seed_index).search("date:[2019 TO now]").total == 2


def test_an_index_path_that_is_a_file_is_one_error_everywhere(tmp_path):
    from starlette.testclient import TestClient

    from searchkz.errors import IndexNotFoundError
    from searchkz.server import create_app, serve

    afile = tmp_path / "index"
    afile.write_text("x")
    with pytest.raises(IndexNotFoundError, match="a file, not an index folder"):
        Index(afile).search("кеңес")
    with pytest.raises(IndexNotFoundError, match="a file, not an index folder"):
        serve(afile, port=0)  # (refused before it listens)
    client = TestClient(create_app(afile))
    for url in ("/api/search?q=кеңес", "/api/health", "/api/stats", "/api/article?id=x"):
        r = client.get(url)
        assert r.status_code == 503 and "a file, not an index folder" in r.json()["error"], url


def test_stats_counts_corpus_files_and_outlets_apart(tmp_path):
    (tmp_path / "c").mkdir()
    lines = [json.dumps({"id": f"d{i}", "title": "Қоғамдық кеңес", "text": "Кеңес отырысы өтті.", "source": src},
                        ensure_ascii=False).encode() for i, src in enumerate(["baq.kz", "inform.kz", "WWW.Baq.kz"])]
    _jsonl(tmp_path / "c" / "feed.jsonl", *lines)
    ix = Index(tmp_path / "ix")
    ix.reindex(tmp_path / "c", procs=1)
    st = ix.stats()
    assert st["corpus_files"] == 1 and st["outlets"] == 2 and st["documents"] == 3
