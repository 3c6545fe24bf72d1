"""The searchkz command: exit codes, JSON Lines, colour, help, first-use indexing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkz.cli import main

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"
S003 = "003_ef5e74323f016fa6.txt"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "index"
    res = CliRunner().invoke(main, ["reindex", "--corpus", str(SEED_DIR), "--index", str(path), "--procs", "1"])
    assert res.exit_code == 0, res.output
    return path


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env or {})


def test_search_prints_ranked_hits(index_dir):
    res = run("search", "қоғамдық кеңес", "--index", str(index_dir))
    assert res.exit_code == 0
    first = res.stdout.splitlines()[0]
    assert first.startswith(" 1. ") and "Аида Балаева" in first
    assert S003 in res.stdout and "score" in res.stdout
    assert "\x1b[" not in res.stdout  # not a terminal: plain text


def test_color_always_highlights(index_dir):
    res = run("search", "ұйым", "--index", str(index_dir), "--color", "always")
    assert res.exit_code == 0
    assert "\x1b[" in res.stdout


def test_no_color_env_wins_over_auto(index_dir):
    res = run("search", "ұйым", "--index", str(index_dir), env={"NO_COLOR": "1"})
    assert "\x1b[" not in res.stdout


def test_json_lines(index_dir):
    res = run("search", "кеңес", "--index", str(index_dir), "--json", "--limit", "3")
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    hits, summary = lines[:-1], lines[-1]
    assert summary["type"] == "summary" and summary["hits"] == len(hits) == 3
    for h in hits:
        assert set(h) >= {"id", "title", "date", "score", "snippet", "highlights"}
        for s, e in h["highlights"]:
            assert h["snippet"][s:e].lower().startswith("кеңес")


def test_exit_codes(index_dir, tmp_path):
    assert run("search", "қоғам", "--index", str(index_dir)).exit_code == 0
    assert run("search", "жоқсөзқұрама", "--index", str(index_dir)).exit_code == 1
    bad = run("search", '"', "--index", str(index_dir))
    assert bad.exit_code in (1, 2)
    res = run("search", "date:[xx to yy]", "--index", str(index_dir))
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and "Traceback" not in res.output
    res = run("search", "қоғам", "--index", str(index_dir), "--since", "yesterdayish")
    assert res.exit_code == 2 and "date" in res.stderr
    res = run("stats", "--index", str(tmp_path / "nothing"))
    assert res.exit_code == 2 and "searchkz reindex" in res.stderr
    res = run("reindex", "--corpus", str(tmp_path / "missing"), "--index", str(tmp_path / "ix"))
    assert res.exit_code == 2 and "missing" in res.stderr and "Traceback" not in res.output


def test_search_builds_missing_index_first(tmp_path):
    res = run("search", "қоғамдық кеңес", env={"SEARCHKZ_INDEX": str(tmp_path / "ix"), "SEARCHKZ_CORPUS": str(SEED_DIR)})
    assert res.exit_code == 0
    assert "building it" in res.stderr
    assert S003 in res.stdout.splitlines()[1]


def test_real_process_builds_the_index_then_searches_it(tmp_path):
    """The console entry point in fresh processes: the first search builds the index (reindex
    workers: the process exits the usual way) and the next finds the same hits in it (the quick
    exit once the output is flushed)."""
    env = {**os.environ, "SEARCHKZ_INDEX": str(tmp_path / "ix"), "SEARCHKZ_CORPUS": str(SEED_DIR), "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "searchkz", "search", "қоғамдық кеңес", "--json"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == again.returncode == 0 and "building it" in first.stderr
    hits = [json.loads(line) for line in again.stdout.splitlines()]
    assert hits[-1]["type"] == "summary" and hits[-1]["total"] == len(hits) - 1 >= 3
    assert first.stdout.splitlines()[:-1] == again.stdout.splitlines()[:-1]  # the same hits (the summary has the time)


def test_show_highlights_query(index_dir):
    res = run("show", S003, "--index", str(index_dir), "--query", "кеңес", "--color", "always")
    assert res.exit_code == 0 and "Қоғамдық" in res.stdout and "\x1b[" in res.stdout
    assert run("show", "nope", "--index", str(index_dir)).exit_code == 2


def test_analyze_prints_stems():
    res = run("analyze", "Қоғамдық кеңестердің жəне")
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    assert rows[1][:3] == ["кеңестердің", "кеңестердің", "кеңес"]
    assert rows[2][1] == "және"  # Latin schwa repaired


def test_stats_and_check(index_dir):
    res = run("stats", "--index", str(index_dir), "--json")
    info = json.loads(res.stdout)
    assert info["documents"] == 5 and info["analyzer_version"]
    res = run("check", "--index", str(index_dir))
    assert res.exit_code == 0 and "5 documents" in res.stdout


@pytest.mark.parametrize("command", ["search", "reindex", "show", "analyze", "stats", "check"])
def test_every_command_has_help(command):
    res = run(command, "--help")
    assert res.exit_code == 0 and "Usage:" in res.stdout and len(res.stdout) > 80


def test_python_dash_m_and_broken_pipe(index_dir):
    env = {**os.environ, "SEARCHKZ_INDEX": str(index_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "searchkz", "search", "ұйым", "--limit", "5"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 0 and "ұйым" in proc.stdout.lower()
    # closing the pipe early must not print a traceback
    p = subprocess.Popen(
        [sys.executable, "-m", "searchkz", "search", "ұйым", "--limit", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in err
