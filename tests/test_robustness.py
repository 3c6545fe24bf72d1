"""Robustness end to end: SIGKILLed reindexes, concurrent searches and reindexes,
damaged indexes, and a corpus full of bad files.

The heavy version of the kill and concurrency loops (20+ trials, a bigger
corpus, a 50 MB file) is ``python -m searchkz.bench.stress``; these tests run
a few trials of the same loops on a smaller corpus.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkz import Index
from searchkz.bench.stress import expected_docs, index_docs, make_states, wait_for_lock, write_state
from searchkz.cli import main
from searchkz.index import index_lock, CURRENT, LOCKFILE, current_generation

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"
DOCS = 600  # 3000 in the stress script; enough here to kill mid-write


def cli(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env or {})


def spawn(*args, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "searchkz", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})},
    )


class World:
    """Two corpus states A and A' in one folder, and an index holding one of them."""

    def __init__(self, root: Path):
        self.corpus, self.index = root / "corpus", root / "index"
        self.states = make_states(DOCS, seed=7, size=(1, 1))
        self.on_disk = 0  # which state the corpus folder holds
        write_state(self.corpus, self.states[0])
        self.expected = [expected_docs(self.corpus)]
        write_state(self.corpus, self.states[1], self.states[0])
        self.expected.append(expected_docs(self.corpus))
        write_state(self.corpus, self.states[0], self.states[1])
        started = time.monotonic()
        Index(self.index).reindex(self.corpus, full=True)
        self.build_seconds = time.monotonic() - started

    def which(self) -> int:
        """0 or 1: the state the index holds; fails on anything else (a mix, an error)."""
        docs = index_docs(self.index)
        for k in (0, 1):
            if docs == self.expected[k]:
                return k
        a, b = self.expected
        raise AssertionError(
            f"index holds {len(docs)} documents: neither A ({len(a)}) nor A' ({len(b)}); "
            f"{len(set(docs) - set(a) - set(b))} unknown ids"
        )

    def switch_corpus(self, k: int) -> None:
        if self.on_disk != k:
            write_state(self.corpus, self.states[k], self.states[self.on_disk])
            self.on_disk = k


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return World(tmp_path_factory.mktemp("robust"))


def _search_works(index: Path) -> None:
    res = cli("search", "белгі", "--index", index, "--json", "-n", "3")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.splitlines()[-1])["type"] == "summary"


# -- crash safety ---------------------------------------------------------------


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_sigkilled_reindex_leaves_old_or_new_index(world, mode):
    rng = random.Random(f"kill-{mode}")
    flags = ["--full"] if mode == "full" else []
    # kills land uniformly over the work: reading, writing, committing, publishing
    work_seconds = world.build_seconds if mode == "full" else None
    outcomes = []
    for trial in range(3):
        before = world.which()
        world.switch_corpus(1 - before)
        proc = spawn("reindex", "--corpus", world.corpus, "--index", world.index, "--quiet", *flags,
                     env={"SEARCHKZ_LOCK_TIMEOUT": "20"})
        locked = wait_for_lock(world.index, proc)
        started = time.monotonic()
        if work_seconds is None or not locked:  # not killed: it measures the work
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            work_seconds = time.monotonic() - started
            killed = False
        else:
            time.sleep(rng.uniform(0, 1.05 * work_seconds))
            killed = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
        after = world.which()  # complete A or complete A', never a mix, never an error
        assert after in (before, 1 - before)
        _search_works(world.index)
        outcomes.append((killed, after != before))
    assert any(killed for killed, _ in outcomes), outcomes
    # the next run cleans up after the killed ones: no tmp-* left, no stale lock
    world.switch_corpus(1 - world.which())
    res = cli("reindex", "--corpus", world.corpus, "--index", world.index, "--quiet",
              env={"SEARCHKZ_LOCK_TIMEOUT": "5"})
    assert res.exit_code == 0, res.output
    assert world.which() == world.on_disk
    leftovers = [p.name for p in world.index.iterdir() if p.name.startswith("tmp-") or p.name.endswith(".tmp")]
    assert leftovers == []
    assert len([p for p in world.index.iterdir() if p.name.startswith("gen-")]) <= 2


# -- concurrency ----------------------------------------------------------------


def test_searches_during_reindex_never_fail_and_second_reindex_times_out(world):
    before = world.which()
    world.switch_corpus(1 - before)
    first = spawn("reindex", "--corpus", world.corpus, "--index", world.index, "--full", "--quiet")
    assert wait_for_lock(world.index, first)
    ix = Index(world.index)
    sizes = {len(world.expected[0]), len(world.expected[1])}
    seen, searches = set(), 0
    while first.poll() is None or searches < 3:
        hits = ix.search("белгі", limit=5)  # reopens the index when a reindex swapped it
        assert hits and ix.doc_count() in sizes
        seen.add(ix.doc_count())
        searches += 1
        time.sleep(0.05)  # leave the reindex some of the two cores
    assert first.wait(timeout=60) == 0
    assert world.which() == 1 - before
    assert len(world.expected[1 - before]) in seen
    # A second reindex while one holds the lock (held here, so the timing cannot race
    # with the first reindex finishing on a loaded machine) waits, then fails in one line.
    with index_lock(world.index):
        second = spawn("reindex", "--corpus", world.corpus, "--index", world.index, "--quiet",
                       env={"SEARCHKZ_LOCK_TIMEOUT": "1"})
        out, err = second.communicate(timeout=60)
    assert second.returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "another reindex is running" in lines[0] and "Traceback" not in err


def test_searches_from_threads_during_swaps(world):
    """Many searchers in one process, generations swapped under them."""
    errors = []
    stop = threading.Event()

    def searcher():
        ix = Index(world.index)
        while not stop.is_set():
            try:
                assert ix.search("белгі", limit=3)
                assert ix.get(sorted(world.expected[0])[0]) is not None
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
                return

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(2):  # incremental swaps, in process
            world.switch_corpus(1 - world.which())
            Index(world.index).reindex(world.corpus)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert errors == []


# -- damaged index --------------------------------------------------------------


def _damage(index: Path, kind: str) -> None:
    gen = current_generation(index)
    seg = max(gen.glob("*.seg"), key=lambda p: p.stat().st_size)
    if kind == "truncated segment":
        with open(seg, "r+b") as fh:
            fh.truncate(seg.stat().st_size // 2)
    elif kind == "garbled segment":
        data = bytearray(seg.read_bytes())
        for i in range(len(data) // 3, len(data) // 3 + 512):
            data[i] ^= 0x5A
        seg.write_bytes(bytes(data))
    elif kind == "garbled segment start":
        data = bytearray(seg.read_bytes())
        data[:64] = os.urandom(64)
        seg.write_bytes(bytes(data))
    elif kind == "deleted TOC":
        for toc in gen.glob("*.toc"):
            toc.unlink()
    elif kind == "garbled CURRENT":
        (index / CURRENT).write_bytes(b"\xff\x00gen-\xc0garbage\n")
    elif kind == "deleted live generation":
        shutil.rmtree(gen)
    elif kind == "other analyzer version":
        from searchkz.index import MANIFEST, _write_manifest_atomic, read_manifest

        m = read_manifest(gen)
        m["analyzer_version"] = "0/old"
        _write_manifest_atomic(gen / MANIFEST, m)
    else:  # pragma: no cover
        raise ValueError(kind)


@pytest.mark.parametrize(
    "kind",
    ["truncated segment", "garbled segment", "garbled segment start", "deleted TOC", "garbled CURRENT",
     "deleted live generation", "other analyzer version"],
)
def test_damaged_index_is_reported_and_reindex_recovers(tmp_corpus, tmp_path, kind):
    index = tmp_path / "index"
    assert cli("reindex", "--corpus", tmp_corpus, "--index", index, "--procs", "1").exit_code == 0
    _damage(index, kind)
    for command in (["check"], ["stats"], ["stats", "--json"]):
        res = cli(*command, "--index", index)
        assert res.exit_code == 2, (command, res.output)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and f"searchkz reindex --full --index {index}" in lines[0], (command, res.stderr)
        assert res.stdout == "" and res.exception is None or isinstance(res.exception, SystemExit)
    res = cli("search", "кеңес", "--index", index)
    # a search either still answers (damage in a part it does not read) or says how to fix it
    assert res.exit_code == 0 or (res.exit_code == 2 and "reindex --full" in res.stderr), res.output
    # a plain (incremental) reindex notices and rebuilds
    res = cli("reindex", "--corpus", tmp_corpus, "--index", index)
    assert res.exit_code == 0, res.output
    assert "(full" in res.stderr
    res = cli("check", "--index", index)
    assert res.exit_code == 0 and "5 documents" in res.stdout, res.output
    assert json.loads(cli("stats", "--json", "--index", index).stdout)["documents"] == 5
    assert cli("search", "кеңес", "--index", index).exit_code == 0


def test_stats_json_and_check_on_healthy_index(tmp_corpus, tmp_path):
    index = tmp_path / "index"
    cli("reindex", "--corpus", tmp_corpus, "--index", index, "--procs", "1")
    info = json.loads(cli("stats", "--json", "--index", index).stdout)
    assert info["documents"] == 5 and info["analyzer_version"] and info["last_reindex"]
    assert info["size_bytes"] > 0 and all(v > 0 for v in info["terms"].values())
    res = cli("check", "--index", index)
    assert res.exit_code == 0 and res.stdout.startswith("ok: 5 documents")


# -- a corpus of bad files, end to end --------------------------------------------

KZ_TEXT = "Көкшетау маңындағы Құмкөлөзен ауылында жаңа мектеп ашылды. Балалар қуанышты."
RU_TEXT = "В Караганде открылась новая библиотека. Читатели довольны, фонд насчитывает тысячи книг."


def _bad_corpus(root: Path, big_bytes: int) -> tuple[int, set[str]]:
    """Write the corpus; return (good documents, names of the bad sources)."""
    good, bad = 0, set()

    def txt(rel, title, body):
        return f"{title}\n\n12 Наурыз 2021, 10:00\n\n{body}\n"

    def put(rel, data: bytes):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return p

    put("utf8.txt", txt(0, "Жай мақала", KZ_TEXT).encode("utf-8")); good += 1
    put("bom8.txt", codecs.BOM_UTF8 + txt(0, "BOM мақала", KZ_TEXT).encode("utf-8")); good += 1
    put("utf16.txt", txt(0, "UTF-16 мақала", KZ_TEXT).encode("utf-16")); good += 1  # with BOM
    put("ru1251.txt", txt(0, "Новая библиотека", RU_TEXT).encode("cp1251")); good += 1
    put("kz1048.txt", txt(0, "Қазақша ескі кодтама", KZ_TEXT.replace("Құмкөлөзен", "Шұғылақсөңгір")).encode("kz1048"))
    good += 1
    put("broken.txt", txt(0, "Бұзылған байттар", KZ_TEXT).encode("utf-8").replace(b"\xd0\xb0", b"\xd0\xff", 2))
    good += 1  # a few invalid sequences: kept, with a warning
    put("empty.txt", b""); bad.add("empty.txt")
    put("binary.txt", bytes(range(256)) * 64); bad.add("binary.txt")
    deep = "/".join(f"level{i}" for i in range(25))
    put(f"{deep}/deep.txt", txt(0, "Терең папка", KZ_TEXT).encode("utf-8")); good += 1
    p = put("locked.txt", txt(0, "Жабық файл", KZ_TEXT).encode("utf-8"))
    p.chmod(0)
    if os.geteuid() == 0:  # root reads it anyway
        good += 1
    else:
        bad.add("locked.txt")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt"); bad.add("dangling.txt")
    put(os.fsdecode(b"\xff\xfe-name.txt"), txt(0, "Атауы бұзық файл", KZ_TEXT).encode("utf-8")); good += 1
    rows = [json.dumps({"id": f"j{i}", "title": f"JSON мақала {i}", "text": KZ_TEXT}, ensure_ascii=False)
            for i in range(4)]
    lines = [rows[0], "{broken json", rows[1], "[1, 2, 3]", rows[2], json.dumps({"title": "no id"}), rows[3],
             json.dumps({"id": "j0", "text": "again"})]
    put("mixed.jsonl", ("\n".join(lines) + "\n").encode("utf-8")); good += 4
    bad.update({"mixed.jsonl:2", "mixed.jsonl:4", "mixed.jsonl:6", "mixed.jsonl:8"})
    put("zdupe.jsonl", json.dumps({"id": "j1", "text": "another file, same id"}).encode() + b"\n")
    bad.add("zdupe.jsonl")  # a duplicate id across files
    # a big JSONL of many articles (50 MB in the stress script)
    n, size = 0, 0
    with open(root / "big.jsonl", "w", encoding="utf-8") as fh:
        while size < big_bytes:
            line = json.dumps({"id": f"big{n}", "title": f"Үлкен {n}", "text": KZ_TEXT * 3}, ensure_ascii=False) + "\n"
            fh.write(line)
            size += len(line.encode())
            n += 1
    good += n
    return good, bad


def test_bad_corpus_end_to_end(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    good, bad = _bad_corpus(corpus, big_bytes=300_000)
    proc = subprocess.run(
        [sys.executable, "-m", "searchkz", "reindex", "--corpus", str(corpus), "--index", str(index), "--procs", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    named: dict[str, list[str]] = {}
    for line in proc.stderr.splitlines():
        if line.startswith(("searchkz: skipped: ", "searchkz: warning: ")):
            kind, rest = line[len("searchkz: "):].split(": ", 1)
            source, reason = rest.split(": ", 1)
            assert reason.strip()
            named.setdefault(source, []).append(kind)
    for source in bad:  # every bad one is named once, as skipped, with a reason
        assert named.get(source) == ["skipped"], (source, proc.stderr)
    skipped = {s for s, kinds in named.items() if "skipped" in kinds}
    assert skipped == bad, proc.stderr
    assert f"; {good} documents;" in proc.stderr
    assert json.loads(cli("stats", "--json", "--index", index).stdout)["documents"] == good
    # legacy encodings decoded: KZ-1048 Kazakh and cp1251 Russian found by UTF-8 queries
    res = cli("search", "Шұғылақсөңгір", "--index", index, "--json")
    assert res.exit_code == 0 and json.loads(res.stdout.splitlines()[0])["id"] == "kz1048.txt"
    ix = Index(index)
    assert "Шұғылақсөңгір" in ix.get("kz1048.txt").text
    assert ix.get("ru1251.txt").title == "Новая библиотека"
    assert ix.get("utf16.txt").title == "UTF-16 мақала"
    assert ix.get("bom8.txt").title == "BOM мақала"
    assert [h.id for h in ix.search("библиотека")] == ["ru1251.txt"]
    assert ix.get("level0/" + "/".join(f"level{i}" for i in range(1, 25)) + "/deep.txt") is not None
    assert ix.get("\\xff\\xfe-name.txt") is not None
    assert ix.get("j3") is not None and ix.get("big0") is not None
