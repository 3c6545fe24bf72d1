"""Crash and concurrency stress test (a runnable module, not a timed test).

    python -m searchkz.bench.stress --trials 20 [--docs 3000] [--seed 1] [--big-mb 50]

It builds a seeded synthetic Kazakh corpus in a temp folder (sentences of the
bundled ``corpus/`` seed articles, shuffled: no /work/shared needed) in two
states: **A** and **A'** (A with some articles added, changed and deleted).
Then, for full and for incremental reindexes:

* each trial starts ``python -m searchkz reindex`` in a subprocess towards the
  other state than the index holds, kills it with SIGKILL at a random moment
  (uniform over the measured duration of an uninterrupted run, so kills land
  in reading, writing, merging, committing and publishing), then checks that
  ``searchkz search`` (a subprocess) answers and that the documents in the
  index -- ids and content hashes -- are exactly A or exactly A';
* the next trial's reindex must clean the killed run's leftovers (``tmp-*``
  folders) and must not find a stale lock.

Then the concurrent loop: searches (API, reopening on every generation swap)
run while full and incremental reindexes alternate; none may fail or see a
document set other than A or A'; a second reindex started during a running
one must fail with exit 2 and one line naming the lock.  With ``--big-mb``
a JSONL file of that size is indexed end to end and its documents counted.

The disk-full round (``--diskfull N``): N reindexes, full and incremental in turn, into a
filesystem too small for them -- as root a tmpfs holding the live index and a filler file
that leaves a random few bytes to kilobytes free; elsewhere the same runs with their writes
failing once that many bytes are written (an injected ENOSPC) -- must each exit 2 with one
line naming the index and the space needed, leave the index holding the same document set
and answering searches, and leave no temporary generation behind.

It prints a table of trials / survived / old set / new set / errors and exits
0 only when every trial survived.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "corpus"

_MONTHS = ["Қаңтар", "Ақпан", "Наурыз", "Сәуір", "Мамыр", "Маусым", "Шілде", "Тамыз", "Қыркүйек", "Қазан", "Қараша",
           "Желтоқсан"]


def seed_sentences(seed_dir: Path = SEED_DIR) -> list[str]:
    """Sentences of the seed articles (at least 4 words each)."""
    out = []
    for p in sorted(seed_dir.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        for s in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")):
            s = " ".join(s.split())
            if len(s.split()) >= 4 and re.search(r"[а-яәғқңөұүһі]", s.lower()):
                out.append(s)
    return out


def make_article(rng: random.Random, sentences: list[str], n: int, tag: str = "", size: tuple = (2, 4)) -> str:
    """One .txt article: title line, date line, body of ``size`` (min, max) shuffled seed sentences."""
    title = " ".join(rng.choice(sentences).split()[:8]).rstrip(".,:;")
    day, month, year = rng.randint(1, 28), rng.choice(_MONTHS), rng.randint(2015, 2023)
    body = rng.sample(sentences, k=min(len(sentences), rng.randint(*size)))
    marker = f"мақала{n}{tag}"  # a unique word per article (and per version)
    return f"{title} {marker}\n\n{day} {month} {year}, {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}\n\n" + \
        "\n\n".join(body) + f"\n\nБелгі: {marker}.\n"


def make_states(docs: int, seed: int = 1, size: tuple = (2, 4)) -> tuple[dict, dict]:
    """Two corpus states ``(A, A')``: ``{relpath: text}``.

    A' = A with ~5% of the articles deleted, ~10% changed and ~5% added.
    Articles are spread over subfolders of 100.
    """
    rng = random.Random(seed)
    sentences = seed_sentences()
    a = {}
    for i in range(docs):
        a[f"d{i // 100:03d}/art{i:05d}.txt"] = make_article(rng, sentences, i, size=size)
    b = dict(a)
    keys = sorted(a)
    rng.shuffle(keys)
    n_del, n_chg = max(1, docs // 20), max(1, docs // 10)
    for k in keys[:n_del]:
        del b[k]
    for j, k in enumerate(keys[n_del : n_del + n_chg]):
        b[k] = make_article(rng, sentences, docs + j, tag="ж", size=size)
    for i in range(docs, docs + max(1, docs // 20)):
        b[f"new/art{i:05d}.txt"] = make_article(rng, sentences, i, tag="н", size=size)
    return a, b


def write_state(corpus: Path, state: dict, previous: dict | None = None) -> None:
    """Make the folder ``corpus`` hold exactly ``state`` (writing only what differs from ``previous``)."""
    previous = previous or {}
    for rel in previous:
        if rel not in state:
            (corpus / rel).unlink(missing_ok=True)
    for rel, text in state.items():
        if previous.get(rel) != text:
            p = corpus / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
            st = p.stat()  # a new mtime even within the same clock tick
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def expected_docs(corpus: Path) -> dict:
    """``{id: content_hash}`` of what a reindex of ``corpus`` must hold."""
    from searchkz.corpus import Article, read_corpus

    return {a.id: a.content_hash for a in read_corpus(corpus) if isinstance(a, Article)}


def index_docs(index: Path) -> dict:
    """``{id: content_hash}`` of the live index, computed from the stored fields (raises
    SearchkzError when it cannot be read)."""
    from searchkz.corpus import Article
    from searchkz.index import open_generation, unpack_text

    ix, _gen, _manifest = open_generation(index)
    with ix.reader() as r:
        return {
            f["id"]: Article(f["id"], f.get("title", ""), f.get("date"), unpack_text(f.get("text")),
                             f.get("source", ""), f.get("meta") or {}).content_hash
            for _n, f in r.iter_docs()
        }


def cli(*args, env=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchkz", *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), timeout=timeout)


def wait_for_lock(index: Path, proc: subprocess.Popen, timeout: float = 120) -> bool:
    """Wait until ``proc`` holds the index lock (it writes its pid in it); False if it ended first."""
    from searchkz.index import LOCKFILE

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (index / LOCKFILE).read_text().strip() == str(proc.pid):
                return True
        except OSError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


class Stress:
    def __init__(self, workdir: Path, docs: int, seed: int):
        self.corpus, self.index = workdir / "corpus", workdir / "index"
        self.states = make_states(docs, seed=seed)
        self.on_disk = 0
        write_state(self.corpus, self.states[0])
        self.expected = [expected_docs(self.corpus)]
        write_state(self.corpus, self.states[1], self.states[0])
        self.expected.append(expected_docs(self.corpus))
        write_state(self.corpus, self.states[0], self.states[1])
        self.rng = random.Random(seed)

    def which(self) -> int | str:
        """0 (A), 1 (A'), or a description of what is wrong."""
        from searchkz.errors import SearchkzError

        try:
            docs = index_docs(self.index)
        except SearchkzError as exc:
            return f"error: {exc}"
        for k in (0, 1):
            if docs == self.expected[k]:
                return k
        return f"mix: {len(docs)} documents, neither A ({len(self.expected[0])}) nor A' ({len(self.expected[1])})"

    def switch(self, k: int) -> None:
        if self.on_disk != k:
            write_state(self.corpus, self.states[k], self.states[self.on_disk])
            self.on_disk = k

    def reindex(self, *flags: str, env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "searchkz", "reindex", "--corpus", str(self.corpus), "--index", str(self.index),
             "--quiet", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
        )

    def timed_run(self, *flags: str) -> float:
        """One uninterrupted reindex towards the other state: seconds from taking the lock to exit."""
        self.switch(1 - self.which())
        proc = self.reindex(*flags)
        wait_for_lock(self.index, proc)
        started = time.monotonic()
        _out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"reindex {' '.join(flags)} failed: {err.strip()}")
        return time.monotonic() - started

    def kill_trials(self, mode: str, trials: int, log) -> dict:
        flags = ("--full",) if mode == "full" else ()
        work = self.timed_run(*flags)
        row = {"mode": mode, "trials": trials, "killed": 0, "survived": 0, "old": 0, "new": 0, "errors": 0,
               "work_s": round(work, 1)}
        for t in range(trials):
            before = self.which()
            if not isinstance(before, int):
                raise SystemExit(f"index broken before trial: {before}")
            self.switch(1 - before)
            proc = self.reindex(*flags, env={"SEARCHKZ_LOCK_TIMEOUT": "30"})
            locked = wait_for_lock(self.index, proc)
            delay = self.rng.uniform(0, 1.05 * work)
            if locked:
                time.sleep(delay)
            alive = proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            _out, err = proc.communicate()
            if not locked and proc.returncode not in (0, -signal.SIGKILL):
                log(f"  {mode} trial {t + 1}: reindex failed before the kill: {err.strip()[-300:]}")
            row["killed"] += alive
            after = self.which()
            res = cli("search", "белгі", "--index", str(self.index), "--json", "-n", "3")
            search_ok = res.returncode == 0 and "Traceback" not in res.stderr
            ok = after in (before, 1 - before) and search_ok
            row["survived"] += ok
            row["old"] += after == before
            row["new"] += after == 1 - before
            if not ok:
                row["errors"] += 1
            log(f"  {mode} trial {t + 1:2d}: kill after {delay:5.2f}s of {work:.1f}s "
                f"({'killed' if alive else 'already done'}) -> "
                f"{ {before: 'old set', 1 - before: 'new set'}.get(after, after) if isinstance(after, int) else after}"
                f"; search exit {res.returncode}" + ("" if search_ok else f": {res.stderr.strip()[:200]}"))
        # the next run cleans up: no leftovers, no stale lock
        self.switch(1 - self.which())
        proc = self.reindex(env={"SEARCHKZ_LOCK_TIMEOUT": "5"})
        _out, err = proc.communicate()
        leftovers = [p.name for p in self.index.iterdir() if p.name.startswith("tmp-") or p.name.endswith(".tmp")]
        gens = [p.name for p in self.index.iterdir() if p.name.startswith("gen-")]
        row["cleanup"] = proc.returncode == 0 and not leftovers and len(gens) <= 2 and self.which() == self.on_disk
        if not row["cleanup"]:
            log(f"  cleanup run: exit {proc.returncode} {err.strip()[:200]}; leftovers {leftovers}; {len(gens)} gens")
        return row

    def concurrent(self, rounds: int, log) -> dict:
        """Searches in a loop (fresh API reads, reopened on every swap) while reindexes run;
        a second reindex during each one must fail with exit 2 and one line."""
        from searchkz import Index

        row = {"mode": "concurrent", "trials": rounds, "searches": 0, "survived": 0, "errors": 0, "lock_ok": 0}
        sizes = {len(self.expected[0]), len(self.expected[1])}
        errors = []
        stop = threading.Event()

        def search_loop():
            ix = Index(self.index)
            while not stop.is_set():
                try:
                    hits = ix.search("белгі", limit=5)
                    n = ix.doc_count()
                    if not hits or n not in sizes:
                        errors.append(f"{len(hits)} hits, {n} documents")
                    row["searches"] += 1
                except Exception as exc:
                    errors.append(repr(exc))
                time.sleep(0.02)

        th = threading.Thread(target=search_loop, daemon=True)
        th.start()
        for r in range(rounds):
            flags = ("--full",) if r % 2 == 0 else ()
            before = self.which()
            self.switch(1 - before)
            first = self.reindex(*flags)
            wait_for_lock(self.index, first)
            second = self.reindex(env={"SEARCHKZ_LOCK_TIMEOUT": "1"})
            _o2, err2 = second.communicate()
            _o1, err1 = first.communicate()
            lines = err2.strip().splitlines()
            lock_ok = second.returncode == 2 and len(lines) == 1 and "another reindex" in lines[0]
            if first.returncode == 0 and second.returncode == 0:
                lock_ok = True  # the first one finished before the second started: nothing to wait for
            row["lock_ok"] += lock_ok
            ok = first.returncode == 0 and self.which() == 1 - before and lock_ok
            row["survived"] += ok
            log(f"  concurrent round {r + 1}: {'full' if flags else 'incremental'} reindex exit {first.returncode}, "
                f"second reindex exit {second.returncode}: {lines[-1] if lines else ''}")
        stop.set()
        th.join(30)
        row["errors"] = len(errors)
        for e in errors[:5]:
            log(f"  search error: {e}")
        if errors:
            row["survived"] = 0
        return row

    def disk_full(self, trials: int, log) -> dict:
        """Reindexes into a disk too small for them (see the module docstring)."""
        row = {"mode": "disk full", "trials": trials, "survived": 0, "old": 0, "new": 0, "errors": 0}
        src_size = sum(p.stat().st_size for p in self.index.rglob("*") if p.is_file())
        mnt = self.index.parent / "small-disk"
        real = _mount_tmpfs(mnt, 2 * src_size + (1 << 20))
        index = mnt / "index" if real else self.index.parent / "diskfull-index"
        shutil.copytree(self.index, index, dirs_exist_ok=False)
        log(f"  disk full: {'a tmpfs of ' + format(2 * src_size + (1 << 20), ',') + ' bytes' if real else 'injected ENOSPC (no tmpfs: not root)'}; "
            f"live index {src_size:,} bytes")
        try:
            for t in range(trials):
                full = t % 2 == 0
                before, gens = _index_state(index)
                self.switch(1 - self.on_disk)
                slack = self.rng.randrange(0, max(4096, src_size // 2) if full else 16 * 1024)
                filler = mnt / "filler"
                if real:
                    free = shutil.disk_usage(mnt).free
                    with open(filler, "wb") as fh:  # leave `slack` bytes free
                        fh.truncate(0)
                        chunk = b"\0" * (1 << 20)
                        left = max(0, free - slack)
                        while left > 0:
                            try:
                                left -= fh.write(chunk[: min(left, len(chunk))])
                            except OSError:
                                break
                    cmd = ["-m", "searchkz"]
                else:
                    cmd = ["-c", _INJECT, str(slack)]
                args = ["reindex", "--corpus", str(self.corpus), "--index", str(index), "--quiet"] + (["--full"] if full else [])
                res = subprocess.run([sys.executable, *cmd, *args], capture_output=True, text=True, timeout=600)
                if real:
                    filler.unlink(missing_ok=True)
                lines = res.stderr.strip().splitlines()
                after, gens_after = _index_state(index)
                leftovers = [p.name for p in index.iterdir() if p.name.startswith("tmp-") or p.name.endswith(".tmp")]
                search = cli("search", "белгі", "--index", str(index), "--json", "-n", "3")
                ok = (res.returncode == 2 and len(lines) == 1 and f"index {index}:" in lines[0] and "needed" in lines[0]
                      and after == before and gens_after == gens and not leftovers and search.returncode == 0)
                row["survived"] += ok
                row["old"] += after == before
                row["errors"] += not ok
                log(f"  disk full trial {t + 1:2d} ({'full' if full else 'incremental'}, {slack:,} bytes free): exit "
                    f"{res.returncode}; {'old set kept' if after == before else 'INDEX CHANGED'}; "
                    f"search exit {search.returncode}; leftovers {leftovers or 'none'}: {lines[-1][:160] if lines else ''}")
        finally:
            if real:
                subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
            else:
                shutil.rmtree(index, ignore_errors=True)
        return row

    def big_file(self, mb: int, log) -> dict:
        """A ``mb`` MB .txt file (read up to MAX_TXT_BYTES, with a warning) next to good articles."""
        corpus = self.corpus.parent / "big-corpus"
        corpus.mkdir(exist_ok=True)
        sentences = seed_sentences()
        rng = random.Random(5)
        with open(corpus / "big.txt", "w", encoding="utf-8") as fh:
            fh.write("Үлкен файл\n\n")
            block = "\n".join(rng.choice(sentences) for _ in range(2000)) + "\n"
            for _ in range(mb * 2**20 // len(block.encode()) + 1):
                fh.write(block)
        for i in range(20):
            (corpus / f"small{i}.txt").write_text(make_article(rng, sentences, i), encoding="utf-8")
        size = (corpus / "big.txt").stat().st_size
        started = time.monotonic()
        res = cli("reindex", "--corpus", str(corpus), "--index", str(self.corpus.parent / "big-index"), "--quiet",
                  timeout=1800)
        secs = time.monotonic() - started
        ok = res.returncode == 0 and "; 21 documents;" in res.stderr and "Traceback" not in res.stderr
        log(f"  big file: {size / 2**20:.0f} MB .txt + 20 articles -> exit {res.returncode} in {secs:.0f}s: "
            f"{res.stderr.strip().splitlines()[-1] if res.stderr.strip() else ''}")
        return {"mode": f"{mb} MB file", "trials": 1, "survived": int(ok), "errors": int(not ok)}


#: Run the CLI with every index file write failing (ENOSPC) once argv[1] bytes are written.
_INJECT = """
import errno, os, sys
from whoosh.filedb.filestore import FileStorage
left = [int(sys.argv.pop(1))]
class Full:
    def __init__(self, raw): self._raw = raw
    def write(self, data):
        if len(data) > left[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        left[0] -= len(data)
        return self._raw.write(data)
    def __getattr__(self, name): return getattr(self._raw, name)
create = FileStorage.create_file
def create_file(self, *a, **k):
    f = create(self, *a, **k)
    f.file = Full(f.file)
    return f
FileStorage.create_file = create_file
from searchkz.cli import run
sys.argv[0] = "searchkz"
run()
"""


def _mount_tmpfs(path: Path, size: int) -> bool:
    """Mount a tmpfs of ``size`` bytes at ``path`` (root on Linux), or False."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _index_state(index: Path) -> tuple[object, list]:
    """(the documents and their hashes, or the error; the generation folders)."""
    from searchkz.errors import SearchkzError

    try:
        docs = index_docs(index)
    except SearchkzError as exc:
        docs = f"error: {exc}"
    return docs, sorted(p.name for p in index.iterdir() if p.name.startswith("gen-"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m searchkz.bench.stress", description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=20, help="SIGKILL trials per mode (full, incremental)")
    ap.add_argument("--docs", type=int, default=3000, help="articles in corpus state A")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=4, help="concurrent search/reindex rounds")
    ap.add_argument("--big-mb", type=int, default=0, help="also index a file of this many MB (e.g. 50)")
    ap.add_argument("--modes", default="full,incremental,concurrent,diskfull")
    ap.add_argument("--diskfull", type=int, default=10, help="reindexes into a too small disk (full/incremental in turn)")
    ap.add_argument("--workdir", type=Path, default=None, help="kept when given; else a temp dir, removed")
    args = ap.parse_args(argv)

    def log(msg):
        print(msg, flush=True)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="searchkz-stress-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        s = Stress(workdir, args.docs, args.seed)
        log(f"corpus: A = {len(s.expected[0])} articles, A' = {len(s.expected[1])} "
            f"({len(set(s.expected[1]) - set(s.expected[0]))} added, "
            f"{len(set(s.expected[0]) - set(s.expected[1]))} deleted, "
            f"{sum(1 for k, v in s.expected[1].items() if k in s.expected[0] and s.expected[0][k] != v)} changed)"
            f" in {workdir}")
        from searchkz import Index

        t = time.monotonic()
        Index(s.index).reindex(s.corpus, full=True)
        log(f"initial full reindex: {time.monotonic() - t:.1f}s")
        rows = []
        modes = args.modes.split(",")
        for mode in ("full", "incremental"):
            if mode in modes:
                rows.append(s.kill_trials(mode, args.trials, log))
        if "concurrent" in modes:
            rows.append(s.concurrent(args.rounds, log))
        if "diskfull" in modes and args.diskfull:
            rows.append(s.disk_full(args.diskfull, log))
        if args.big_mb:
            rows.append(s.big_file(args.big_mb, log))
        print()
        print(f"{'mode':<14}{'trials':>7}{'killed':>8}{'survived':>10}{'old set':>9}{'new set':>9}{'errors':>8}"
              f"{'cleanup':>9}")
        all_ok = True
        for r in rows:
            ok = r["survived"] == r["trials"] and r["errors"] == 0 and r.get("cleanup", True)
            all_ok &= ok
            print(f"{r['mode']:<14}{r['trials']:>7}{r.get('killed', '-'):>8}{str(r['survived']) + '/' + str(r['trials']):>10}"
                  f"{r.get('old', '-'):>9}{r.get('new', '-'):>9}{r['errors']:>8}"
                  f"{('ok' if r.get('cleanup') else 'FAIL') if 'cleanup' in r else '-':>9}")
        extra = [f"{r['searches']} searches during reindexes, 0 failed" for r in rows if "searches" in r and not r["errors"]]
        for e in extra:
            print(e)
        print(f"{'ALL SURVIVED' if all_ok else 'FAILURES'} ({time.monotonic() - started:.0f}s)")
        return 0 if all_ok else 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
