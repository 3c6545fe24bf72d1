"""Two processes rank one query (searchkz.parallel): the same documents, scores (to the bit),
order, number of matches, snippets and highlights as one process, on an index of several
segments with deletions."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from searchkz import Index, parallel
from searchkz.bench import speed

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs two cores and fork")


@pytest.fixture(scope="module")
def split_index(tmp_path_factory, updated_index_builder):
    """600 articles of the bundled corpus's sentences written by two processes (two segments),
    then an incremental update: 40 deleted, 50 added (a third segment, deletions in the first two)."""
    ix, sentences = updated_index_builder(tmp_path_factory.mktemp("split"), 600, seed=11, added=50, deleted=40)
    queries = speed.make_queries(sentences, 120, seed=5) + ["Абай", "қазақ тілі", "когамдык", "qazaq tili"]
    return ix.path, queries


@pytest.mark.parametrize(
    "counts, min_docs, want",
    [
        ([300, 300], 100, 1),
        ([300, 290, 10], 100, 1),
        ([100, 250, 250], 100, 2),
        ([50, 50, 50, 50], 100, 2),
        ([590, 10], 100, None),  # one slice under a quarter
        ([300, 300], 1000, None),  # too small
        ([600], 100, None),  # one segment
    ],
)
def test_split_point(counts, min_docs, want):
    assert parallel.split_point(counts, min_docs) == want


def _results(res):
    """Everything a search answers: ids, scores (to the bit), snippets, highlights, the total."""
    return [(h.id, h.score, h.to_dict()) for h in res], res.total


@pytest.mark.parametrize("bound_min", [0, 10**12], ids=["bounds", "maxscore"])
def test_two_processes_rank_as_one(split_index, monkeypatch, bound_min, bounded_calls):
    from searchkz.rank import Ranker

    path, queries = split_index
    monkeypatch.setattr(parallel, "SPLIT_MIN_DOCS", 100)
    monkeypatch.setattr(Ranker, "BOUND_MIN", bound_min)  # (the worker, forked, has it too)
    one, two = Index(path, search_procs=1), Index(path, search_procs=2)
    try:
        assert _results(two.search(queries[0])) == _results(one.search(queries[0]))
        assert two._worker is None  # the first search of an Index never forks (a one-shot CLI search)
        for q in queries:
            assert _results(two.search(q, limit=10)) == _results(one.search(q, limit=10)), q
        sp = two._splitter
        assert isinstance(sp, parallel.Splitter) and sp.failed is None
        assert sp.local.postings_read > 0  # both slices did read postings
        assert any(bounded_calls) == (bound_min == 0)  # (the parent's slice and the one-process Index)
        assert two._worker._proc.is_alive()
        assert one._worker is None and one._splitter is False
    finally:
        one.close()
        two.close()
    assert two._worker is None


def test_a_dead_worker_is_not_fatal(split_index, monkeypatch):
    path, queries = split_index
    monkeypatch.setattr(parallel, "SPLIT_MIN_DOCS", 100)
    one, two = Index(path, search_procs=1), Index(path, search_procs=2)
    try:
        two.search(queries[0])
        two.search(queries[1])
        assert two._worker is not None
        os.kill(two._worker._proc.pid, signal.SIGKILL)
        two._worker._proc.join(5)
        for q in queries[2:8]:  # the query the worker did not answer is ranked in the parent alone
            assert _results(two.search(q)) == _results(one.search(q)), q
        assert two._worker is None and two.search_procs == 1
    finally:
        one.close()
        two.close()


def test_a_new_generation_is_read_by_both(split_index, tmp_path, monkeypatch):
    """Another process's reindex swaps the generation: the worker is restarted on the new one."""
    import shutil

    path, queries = split_index
    monkeypatch.setattr(parallel, "SPLIT_MIN_DOCS", 100)
    copy = tmp_path / "index"
    shutil.copytree(path, copy, symlinks=True)
    two = Index(copy, search_procs=2)
    try:
        for q in queries[:3]:
            two.search(q)
        old_gen = two._splitter.generation
        corpus = tmp_path / "c.jsonl"
        corpus.write_text(json.dumps({"id": "x", "title": "Абай жолы", "text": "Абай жолы романы туралы."},
                                     ensure_ascii=False) + "\n", encoding="utf-8")
        Index(copy).reindex(corpus, full=True)  # one article now
        res = two.search("Абай жолы")
        assert [h.id for h in res] == ["x"] and res.total == 1
        assert two._splitter is False or two._splitter.generation != old_gen  # a one-article index is not split
    finally:
        two.close()


def test_not_split_with_threads_or_in_a_forked_child(split_index, monkeypatch):
    """Forking with another thread running could leave a lock held in the child; a process forked
    from the one that started the worker must not talk to it."""
    import threading

    path, queries = split_index
    monkeypatch.setattr(parallel, "SPLIT_MIN_DOCS", 100)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        ix = Index(path)
        ix.search(queries[0])
        ix.search(queries[1])
        assert ix._worker is None and ix._splitter is False
    finally:
        stop.set()
        t.join()
        ix.close()
    two = Index(path)
    try:
        two.search(queries[0])
        want = _results(two.search(queries[1]))
        assert two._splitter.usable()
        worker = two._worker
        monkeypatch.setattr(parallel.os, "getpid", lambda: -1)  # as seen from a forked child
        assert _results(two.search(queries[1])) == want
        assert two._worker is None and two.search_procs == 1
    finally:
        monkeypatch.undo()
        two.close()
    assert worker._proc.is_alive()  # the worker is the parent's: left alone
    worker.close()  # (here the "parent" is this process)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_worker_ends_with_its_parent(split_index, tmp_path):
    """A parent killed outright (no close, no atexit): the worker sees its pipe closed and ends,
    instead of waiting forever (it must not hold the parent's end of the pipe itself)."""
    import subprocess
    import sys
    import time

    path, queries = split_index
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys\n"
        "from searchkz import Index, parallel\n"
        "parallel.SPLIT_MIN_DOCS = 100\n"
        "ix = Index(sys.argv[1])\n"
        f"ix.search({queries[0]!r}); ix.search({queries[1]!r})\n"
        "print(ix._worker._proc.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True)
    pid = int(proc.stdout.readline())
    proc.wait(30)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
        except (FileNotFoundError, IndexError):
            state = "gone"
        if state in ("Z", "X", "gone"):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")


def test_a_deep_list_before_any_split_ranking(split_index, monkeypatch):
    """A list deeper than 20 is ranked in the parent alone, but its snippets are half made in
    the worker: the worker's first request is then a snippet one, for its generation."""
    path, queries = split_index
    monkeypatch.setattr(parallel, "SPLIT_MIN_DOCS", 100)
    one, two = Index(path, search_procs=1), Index(path, search_procs=2)
    try:
        two.search(queries[0])
        assert _results(two.search(queries[1], limit=50)) == _results(one.search(queries[1], limit=50))
        assert two._splitter.usable()
        for q in queries[2:10]:
            assert _results(two.search(q, limit=10)) == _results(one.search(q, limit=10)), q
        assert two._splitter.usable() and two._worker is not None
    finally:
        one.close()
        two.close()
