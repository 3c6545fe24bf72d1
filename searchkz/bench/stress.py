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
    """``{id: content_hash}`` of the live index (raises SearchkzError when it cannot be read)."""
    from searchkz.index import open_generation

    ix, _gen, _manifest = open_generation(index)
    with ix.reader() as r:
        return {f["id"]: f["hash"] for _n, f in r.iter_docs()}


def cli(*args, env=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "searchkz", *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), timeout=timeout)
