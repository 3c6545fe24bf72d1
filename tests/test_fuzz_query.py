"""Whatever people paste into the query: the API answers or raises QueryError
(the one documented exception for bad queries); the CLI answers (exit 0/1) or
prints one line and exits 2 -- never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkz import Index, QueryError
from searchkz.cli import main


WORDS = ["қоғамдық", "кеңес", "ұйым", "Астана", "kenes", "когам", "және", "мен", "бұл", "не", "the", "AND", "OR",
         "NOT", "ANDNOT", "ANDMAYBE", "TO", "title:", "body:", "date:", "id:", "exact:", "folded:", "nofield:",
         "*", "?", "~", "~2", "^", "^3", "\"", "'", "(", ")", "[", "]", "{", "}", "<", ">", ":", "-", "+", "!",
         "\\", "/", "date:[2019 to", "date:[xx to yy]", "2019", "кеңес~", "кең*", "*ес", "\x00", "\u200b", "\ufeff",
         "\u0301", "𝕂𝕖𝕟𝕖𝕤", "🙂", "ǅ", "İ", "ß", "\ud7ff", "Ⅻ", "١٢٣"]

fragments = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=12),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    st.text(alphabet="()[]{}\"'*?~^:+-!\\/ <>", max_size=10),
)
queries = st.one_of(
    st.lists(fragments, max_size=12).map(" ".join),
    st.lists(fragments, max_size=8).map("".join),
    st.text(),
    st.sampled_from(["және мен бұл", "не", "мен мен мен", "!!!", "...", "\"\"", "((((", "))))", "\"қоғамдық кеңес",
                     "title:", "AND", "NOT NOT", "OR OR OR", "*", "?", "~", "date:[", "[1 TO", "{", "'\"'"]),
    st.integers(1, 6).map(lambda n: "кеңес " * (400 * n)),  # huge: at the limit and over it
)


@pytest.fixture(scope="module")
def index_dir(seed_index) -> Path:
    return seed_index


@pytest.fixture(scope="module")
def ix(index_dir) -> Index:
    with Index(index_dir) as ix:
        yield ix


def test_api_raises_only_query_error(ix):
    @settings(max_examples=int(os.environ.get("SEARCHKZ_FUZZ_EXAMPLES", 300)), deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(q=queries)
    def check(q):
        try:
            hits = ix.search(q, limit=5)
        except QueryError as exc:
            msg = str(exc)
            assert msg.strip() and "\n" not in msg  # one line
            return
        assert len(hits) <= 5
        for h in hits:
            assert h.id and isinstance(h.snippet, str)
            for s, e in h.highlights:
                assert 0 <= s < e <= len(h.snippet)

    check()


def test_api_rejects_non_strings_and_bad_limits(ix):
    for q in (None, 42, b"bytes", ["list"]):
        with pytest.raises(QueryError):
            ix.search(q)
    for limit in (0, -1):
        with pytest.raises(QueryError):
            ix.search("кеңес", limit=limit)


def test_highlight_never_raises_anything_but_query_error(ix):
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(q=queries)
    def check(q):
        try:
            ix.highlight("Қоғамдық кеңестің жиыны өтті.", q)
        except QueryError:
            pass

    check()


SAMPLE = ["", "   ", "\"", "\"қоғамдық кеңес", "((кеңес", "кеңес))", "[", "date:[xx to yy]", "title:", "AND",
          "NOT", "және мен", "!!!???", "*", "кең*", "~", "\x00", "🙂🙂", "кеңес " * 1000, "a" * 5000,
          "id:\"003_ef5e74323f016fa6.txt\"", "body:(қоғам OR", "^2", "қоғам~9", "{1 TO 2}", "nofield:кеңес"]


@pytest.mark.parametrize("q", SAMPLE, ids=range(len(SAMPLE)))
def test_cli_never_tracebacks(index_dir, q):
    res = CliRunner().invoke(main, ["search", q, "--index", str(index_dir), "--color", "never"])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    assert res.exit_code in (0, 1, 2)
    if res.exit_code == 2:
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("searchkz: error: "), res.stderr


def test_cli_sample_through_the_real_entry_point(index_dir):
    """The console script's entry point (``run()``: the last-resort guard, then a quick exit once the
    output is flushed), as real processes, on a few nasty queries: one line of error or the hits,
    whole, and the exit status."""
    import os
    import subprocess
    import sys

    qs = ["\"", "((кеңес", "date:[xx to yy]", "\x01\x02", "кеңес " * 1000]
    for q in qs:
        proc = subprocess.run([sys.executable, "-m", "searchkz", "search", q, "--index", str(index_dir)],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
        assert "Traceback" not in proc.stderr
        assert proc.returncode in (0, 1, 2), (q, proc.returncode)
        if proc.returncode == 2:
            assert proc.stderr.startswith("searchkz: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    # a search's whole output is written before the process ends: every hit, then the summary
    proc = subprocess.run([sys.executable, "-m", "searchkz", "search", "қоғамдық кеңес", "--json", "--limit", "50",
                           "--index", str(index_dir)], capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0 and lines[-1]["type"] == "summary"
    assert len(lines) - 1 == min(50, lines[-1]["total"]) >= 3
