"""Indexing and search speed benchmark (a runnable module, not a timed test).

    python -m searchkz.bench.speed --sentences /work/shared/data/kaznerd/sentences.jsonl \\
        --sizes 10000,100000 --json-out bench.json

For every size N it builds a seeded corpus of N synthetic news articles
(~300 words each, sentences drawn from ``--sentences``; the bundled ``corpus/``
folder when no sentences file is given) as ``.txt`` files laid out like the
real corpus (title line, date line, counters, body, tail boilerplate) or as
JSONL shards (``--format jsonl``), then measures, each reindex in a fresh
subprocess:

* full reindex time, articles/s and MB/s with 1 and 2 (``--procs``) processes,
  for searchkz and for a baseline in the same run: the same pipeline (corpus
  reader, documents, schema fields, writer settings) with stock Whoosh
  ``StandardAnalyzer`` in every text field (``stock``: the analyzer's cost),
  the same schema written by Whoosh's own writer (``ix.writer(procs=...)``,
  its multiprocess writer: ``whoosh``, what Whoosh does as shipped), and
  optionally a plain stock schema with only title + body analyzed
  (``--engines ...,plain``);
* index size on disk against the corpus size;
* peak RSS of each reindex: the indexing process and its writer workers
  (``ru_maxrss`` read in the subprocess itself, so per run) and the whole
  process tree (sampled from /proc);
* analysis only: every analyzer over every document's text, no indexing;
* incremental reindex time with 1 of N articles changed (and with none);
* search latency p50/p95 over ``--queries`` seeded 1–4-word queries drawn
  from the corpus vocabulary, top 10 with snippets, warm searcher; with the engine
  ``before`` (``--before-python``), the other checkout's warm search of its own index of the
  same articles and queries, in the same run;
* a one-shot ``searchkz search`` (process start to exit) on each size's index, against
  ``python -c pass`` and a process that only imports the libraries a search loads: every
  command and size in turn, once every size is built.

It prints a table and writes JSON (``--json-out``).  Generated corpora and
indexes live under ``--workdir`` (default: a folder in the system temp dir);
a corpus is reused when one with the same parameters is already there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BUNDLED_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "searchkz-bench"
FILES_PER_FOLDER = 1000
JSONL_SHARD = 1000

# Used only when neither a sentences file nor the bundled corpus is available.
_BUILTIN_SENTENCES = [
    "Елордада үкіметтік емес ұйымдар мен мемлекеттік орган өкілдерінің басын қосқан диалог алаңы өтті.",
    "Қазақстан президенті өзінің Жолдауында азаматтық сектордың рөлін ерекше атап өтті.",
    "Форумда азаматтық қоғам институттарының өкілдері өзекті мәселелерді талқылады.",
    "Кездесу барысында қоғамдық кеңестерге қатысты нормалар мен ережелер қозғалды.",
    "Шымкент қаласында жергілікті өзін-өзі басқару мәселелері бойынша дөңгелек үстел өтті.",
    "Министрлік биыл өңірлердегі мектептерді жөндеуге қосымша қаражат бөлді.",
    "Алматы облысында көктемгі егіс жұмыстары жоспарлы түрде жүргізіліп жатыр.",
    "Парламент Мәжілісінің депутаттары жаңа заң жобасын бірінші оқылымда мақұлдады.",
    "Ауыл шаруашылығы саласындағы кәсіпкерлерге жеңілдетілген несие берілетін болды.",
    "Спортшыларымыз халықаралық турнирде үш алтын медаль жеңіп алды.",
    "Облыс әкімі тұрғындармен кездесіп, олардың ұсыныстарын тыңдады.",
    "Жастар арасында кітап оқуды насихаттайтын жаңа жоба іске қосылды.",
]

_MONTHS_KK = ["Қаңтар", "Ақпан", "Наурыз", "Сәуір", "Мамыр", "Маусым", "Шілде", "Тамыз",
              "Қыркүйек", "Қазан", "Қараша", "Желтоқсан"]
_RUBRICS = ["Қоғам", "Саясат", "Экономика", "Аймақтар", "Спорт", "Мәдениет", "Білім", "Құқық"]
_SENT_SPLIT = re.compile(r"(?<=[.!?…])\s+")


# -- corpus -----------------------------------------------------------------


def load_sentences(path: str | Path | None = None) -> tuple[list[str], str]:
    """Sentences to build articles from, and where they came from.

    ``path``: a JSONL file (``text`` key per line), a plain text file (one
    sentence per line) or a folder of articles (split into sentences).  None:
    the bundled ``corpus/`` folder, else a few built-in sentences.
    """
    if path is None:
        if BUNDLED_CORPUS.is_dir():
            return _sentences_from_articles(BUNDLED_CORPUS), f"bundled corpus {BUNDLED_CORPUS}"
        return list(_BUILTIN_SENTENCES), "built-in sentences"
    p = Path(path)
    if p.is_dir():
        return _sentences_from_articles(p), str(p)
    out = []
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if p.suffix == ".jsonl":
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                line = str(obj.get("text") or obj.get("body") or "").strip()
            line = " ".join(line.split())
            if len(line.split()) >= 3:
                out.append(line)
    if not out:
        raise SystemExit(f"no sentences in {p}")
    return out, str(p)


def _sentences_from_articles(folder: Path) -> list[str]:
    from searchkz.corpus import Article, read_corpus

    out = []
    for item in read_corpus(folder):
        if isinstance(item, Article):
            for para in item.body.split("\n"):
                for s in _SENT_SPLIT.split(para.strip()):
                    s = " ".join(s.split())
                    if len(s.split()) >= 3:
                        out.append(s)
    return out or list(_BUILTIN_SENTENCES)


@dataclass
class CorpusInfo:
    path: str
    fmt: str
    articles: int
    files: int
    bytes: int
    words: int
    source: str
    seconds: float = 0.0
    reused: bool = False

    @property
    def mb(self) -> float:
        return self.bytes / 1e6


def _article(rng: random.Random, sentences: list[str], short: list[str], words: int) -> tuple[str, str, list[str]]:
    """(title, date line, paragraphs)."""
    title = rng.choice(short).rstrip(".!?… ")
    y, mo, d = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm = rng.randint(0, 23), rng.randint(0, 59)
    if rng.random() < 0.5:
        date = f"{d} {_MONTHS_KK[mo - 1]} {y}, {hh:02d}:{mm:02d}"
    else:
        date = f"{d:02d}.{mo:02d}.{y}, {hh:02d}:{mm:02d}"
    paras, n = [], 0
    while n < words:
        para = []
        for _ in range(rng.randint(2, 5)):
            s = rng.choice(sentences)
            para.append(s)
            n += s.count(" ") + 1
            if n >= words:
                break
        paras.append(" ".join(para))
    return title, date, paras


def _txt(rng: random.Random, title: str, date: str, paras: list[str]) -> str:
    """An article as scraped: title, header boilerplate, body, tail boilerplate."""
    head = [title, ""]
    r = rng.random()
    if r < 0.4:
        head += [date, str(rng.randint(10, 9999)), "Бөлісу:", title, ""]
    elif r < 0.7:
        head += [rng.choice(_RUBRICS), date, ""]
    else:
        head += [f"{date} {rng.randint(10, 9999)}", ""]
    tail = []
    r = rng.random()
    if r < 0.3:
        tail = ["", "", "Өзгелердің жаңалығы"]
    elif r < 0.5:
        tail = ["", "Бөлісу:"]
    return "\n".join(head + "\n\n".join(paras).split("\n") + tail) + "\n"


def build_corpus(
    out: str | Path,
    n: int,
    sentences: list[str],
    seed: int = 0,
    words: int = 300,
    fmt: str = "txt",
    source: str = "",
) -> CorpusInfo:
    """Write ``n`` seeded articles into the folder ``out`` (replaced if present).

    ``fmt="txt"``: one file per article in subfolders of 1000 (title line,
    header boilerplate with a date, body paragraphs, tail boilerplate: the real
    reader's work).  ``fmt="jsonl"``: shards of 1000 ``{"id", "title", "date",
    "text"}`` lines.
    """
    if fmt not in ("txt", "jsonl"):
        raise ValueError(f"unknown corpus format {fmt!r}")
    started = time.perf_counter()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    short = [s for s in sentences if 4 <= s.count(" ") + 1 <= 14] or sentences
    total_bytes = total_words = files = 0
    shard = None
    try:
        for i in range(n):
            title, date, paras = _article(rng, sentences, short, words)
            total_words += sum(p.count(" ") + 1 for p in paras)
            if fmt == "txt":
                folder = out / f"{i // FILES_PER_FOLDER:05d}"
                if i % FILES_PER_FOLDER == 0:
                    folder.mkdir()
                data = _txt(rng, title, date, paras).encode("utf-8")
                with open(folder / f"{i:08d}.txt", "wb") as fh:
                    fh.write(data)
                files += 1
            else:
                if i % JSONL_SHARD == 0:
                    if shard is not None:
                        shard.close()
                    shard = open(out / f"{i // JSONL_SHARD:05d}.jsonl", "wb")
                    files += 1
                iso = _iso_date(date)
                line = json.dumps({"id": f"a{i:08d}", "title": title, "date": iso, "text": "\n\n".join(paras)},
                                  ensure_ascii=False)
                data = (line + "\n").encode("utf-8")
                shard.write(data)
            total_bytes += len(data)
    finally:
        if shard is not None:
            shard.close()
    info = CorpusInfo(str(out), fmt, n, files, total_bytes, total_words, source, time.perf_counter() - started)
    return info


def _iso_date(date: str) -> str:
    m = re.match(r"(\d+)\.(\d+)\.(\d+), (\d+):(\d+)", date)
    if m:
        d, mo, y, hh, mm = map(int, m.groups())
    else:
        m = re.match(r"(\d+) (\S+) (\d+), (\d+):(\d+)", date)
        d, y, hh, mm = int(m.group(1)), int(m.group(3)), int(m.group(4)), int(m.group(5))
        mo = _MONTHS_KK.index(m.group(2)) + 1
    return f"{y:04d}-{mo:02d}-{d:02d}T{hh:02d}:{mm:02d}:00"


def ensure_corpus(workdir: Path, n: int, sentences: list[str], source: str, seed: int, words: int,
                  fmt: str) -> CorpusInfo:
    """Build the corpus for size ``n`` or reuse an identical one from an earlier run."""
    out = workdir / f"corpus-{fmt}-{n}-s{seed}-w{words}"
    stamp = out / ".bench.json"
    key = {"n": n, "seed": seed, "words": words, "fmt": fmt, "source": source, "sentences": len(sentences),
           "version": 2}
    if stamp.exists():
        try:
            saved = json.loads(stamp.read_text())
            if saved.get("key") == key:
                info = CorpusInfo(**saved["info"])
                info.reused = True
                return info
        except (ValueError, TypeError, KeyError):
            pass
    info = build_corpus(out, n, sentences, seed=seed, words=words, fmt=fmt, source=source)
    stamp.write_text(json.dumps({"key": key, "info": asdict(info)}))
    return info


# -- measuring processes -----------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    out.extend(int(x) for x in fh.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeRssSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.available = os.path.exists(f"/proc/{pid}/status")
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            todo, total, seen = [self.pid], 0, set()
            while todo:
                p = todo.pop()
                if p in seen:
                    continue
                seen.add(p)
                total += _rss_kb(p)
                todo.extend(_children(p))
            self.peak_kb = max(self.peak_kb, total)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_child(spec: dict, timeout: float | None = None, python: str | None = None) -> dict:
    """Run one measurement in a fresh ``python -m searchkz.bench.speed --child`` process (``python``:
    another interpreter, e.g. the venv of a checkout of the commit before a change)."""
    cmd = [python or sys.executable, "-m", "searchkz.bench.speed", "--child", json.dumps(spec)]
    # another interpreter imports its own checkout's searchkz, not the one in the working directory
    env = dict(os.environ, PYTHONSAFEPATH="1") if python else None
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreeRssSampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        sampler.stop()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({spec.get('task')}): {err.strip()[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res["process_wall_s"] = wall
    if sampler.available:
        res["peak_rss_tree_mb"] = sampler.peak_kb / 1024
    return res


def _maxrss_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its largest waited-for child (worker), MB."""
    import resource

    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb / 1024, kids_kb / 1024


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its waited-for children."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        total += ru.ru_utime + ru.ru_stime
    return total


def _loadavg() -> float | None:
    """1-minute load average (other work on the machine skews wall times)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def dir_bytes(path: Path) -> int:
    from searchkz.space import tree_bytes

    return tree_bytes(Path(path))


# -- what runs in the child --------------------------------------------------


def _stock_schema(plain: bool = False, make_schema=None):
    """The searchkz schema (``make_schema``: searchkz.index's) with stock Whoosh
    StandardAnalyzer in every text field (``plain``: only title and body analyzed, no exact field)."""
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import TEXT, Schema

    if make_schema is None:
        from searchkz.index import make_schema

    ours = make_schema()
    fields = {}
    for name in ours.names():
        f = ours[name]
        if isinstance(f, TEXT):
            if plain and name not in ("title", "body"):
                continue
            f = TEXT(analyzer=StandardAnalyzer(), stored=f.stored, field_boost=f.format.field_boost,
                     phrase=f.format.__class__.__name__ == "Positions", sortable=f.column_type is not None)
        fields[name] = f
    return Schema(**fields)


def _whoosh_build(tmp, sources, read, new_sources, stats, procs, progress, fail_after):
    """searchkz.index._build_full as Whoosh would do it: every document through
    ``ix.writer()`` (Whoosh's multiprocess writer with ``procs`` > 1, one segment
    per process), the postings through Whoosh's pool."""
    from whoosh.index import create_in

    from searchkz import index as index_mod

    tmp.mkdir(parents=True)
    ix = create_in(str(tmp), index_mod.make_schema(), indexname=index_mod.WHOOSH_INDEXNAME)
    procs = procs or index_mod.default_procs()
    if procs > 1:
        writer = ix.writer(procs=procs, multisegment=True, limitmb=128, batchsize=256)
    else:
        writer = ix.writer(limitmb=256)
    for src in sources:
        hashes = {}
        for art in read(src):
            writer.add_document(**index_mod._doc_fields(art))
            hashes[art.id] = art.content_hash
        new_sources[src.relpath] = [src.mtime_ns, src.size, hashes]
    writer.commit()
    stats.added = sum(len(v[2]) for v in new_sources.values())


def _use_engine(engine: str) -> None:
    """Point searchkz.index at the engine's schema (and for ``whoosh``, Whoosh's own writer)."""
    from searchkz import index as index_mod

    if engine == "searchkz":
        return
    if engine not in ("stock", "plain", "whoosh"):
        raise ValueError(f"unknown engine {engine!r}")
    plain = engine == "plain"
    ours = index_mod.make_schema
    index_mod.make_schema = lambda: _stock_schema(plain, ours)
    if engine == "whoosh":
        index_mod._build_full = _whoosh_build
    if plain:
        orig = index_mod._doc_fields

        def doc_fields(article):
            d = orig(article)
            d.pop("exact", None)
            return d

        index_mod._doc_fields = doc_fields


def _child_reindex(spec: dict) -> dict:
    _use_engine(spec["engine"])
    from searchkz.index import current_generation, reindex

    profile = spec.get("profile")
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    cpu0 = _cpu_seconds()
    started = time.perf_counter()
    stats = reindex(spec["index"], spec["corpus"], full=spec.get("full", True), procs=spec["procs"],
                    lock_timeout=5)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu0
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    gen = current_generation(Path(spec["index"]))
    self_mb, kids_mb = _maxrss_mb()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "documents": stats.documents,
        "added": stats.added,
        "updated": stats.updated,
        "deleted": stats.deleted,
        "unchanged": stats.unchanged,
        "full": stats.full,
        "problems": len(stats.problems),
        "index_bytes": dir_bytes(gen) if gen else 0,
        "peak_rss_main_mb": self_mb,
        "peak_rss_workers_mb": kids_mb,
    }


def _child_analysis(spec: dict) -> dict:
    """Every analyzer over every document's text, no indexing (fresh process: cold word cache)."""
    from whoosh.analysis import StandardAnalyzer

    from searchkz import corpus as corpus_mod

    started = time.perf_counter()
    sources, _ = corpus_mod.list_sources(spec["corpus"])
    limit = spec.get("limit") or len(sources) * 10**6
    docs = []
    for src in sources:
        arts, _ = corpus_mod.read_source(src)
        docs.extend((a.title or "", a.body) for a in arts)
        if len(docs) >= limit:
            break
    docs = docs[:limit]
    read_s = time.perf_counter() - started
    out = {"documents": len(docs), "read_seconds": read_s, "chars": sum(len(t) + len(b) for t, b in docs)}

    def run(fields) -> float:
        """CPU seconds (one thread: robust against other load on the machine)."""
        t0 = time.process_time()
        tokens = 0
        for title, body in docs:
            for an, value, positions in fields(title, body):
                for _t in an(value, positions=positions, mode="index"):
                    tokens += 1
        return time.process_time() - t0

    if spec["engine"] == "searchkz":
        from searchkz.analysis import KazakhAnalyzer

        stem_a, exact_a = KazakhAnalyzer("stem"), KazakhAnalyzer("exact")
        out["all_fields_seconds"] = run(lambda t, b: ((stem_a, t, True), (stem_a, b, True), (exact_a, b, False)))
        # the same again with a warm word cache
        out["all_fields_warm_seconds"] = run(lambda t, b: ((stem_a, t, True), (stem_a, b, True), (exact_a, b, False)))
    else:
        sa = StandardAnalyzer()
        out["all_fields_seconds"] = run(lambda t, b: ((sa, t, True), (sa, b, True), (sa, b, False)))
        out["title_body_seconds"] = run(lambda t, b: ((sa, t, True), (sa, b, True)))
    return out


def _child_search(spec: dict) -> dict:
    """Warm search latency: one Index (one searcher, one process), top 10, with snippets unless
    ``spec["snippets"]`` is false; the process's peak RSS."""
    import resource

    from searchkz.api import Index

    snippets = spec.get("snippets", True)
    ix = Index(spec["index"])
    open_started = time.perf_counter()
    ix.doc_count()
    open_s = time.perf_counter() - open_started
    for q in spec["warmup"]:
        ix.search(q, limit=10)
    times, cpus, hits, errors = [], [], 0, 0
    for q in spec["queries"]:
        c0 = time.process_time()
        t0 = time.perf_counter()
        try:
            res = ix.search(q, limit=10, snippets=snippets)
            _ = [h.to_dict() for h in res]
            hits += len(res)
        except Exception:
            errors += 1
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    ix.close()
    cpu_ms = sorted(t * 1000 for t in cpus)
    return {
        **_latencies(times),
        "open_ms": open_s * 1000,
        "cpu_p50_ms": _pct(cpu_ms, 50),
        "cpu_p95_ms": _pct(cpu_ms, 95),
        "hits_per_query": hits / max(1, len(times)),
        "errors": errors,
        "snippets": snippets,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child_stock_search(spec: dict) -> dict:
    """The same queries through Whoosh's own search on ``spec["index"]`` (the stock-analyzer index of
    the same run, or searchkz's own): ``MultifieldParser`` over title and body as an OR group,
    Whoosh's BM25F with its block-quality pruning, top 10, and Whoosh's highlighter on the stored
    text for the snippets — the baseline for searchkz's search latency."""
    from whoosh import scoring
    from whoosh.index import open_dir
    from whoosh.qparser import MultifieldParser, OrGroup

    from searchkz.index import current_generation, unpack_text

    gen = current_generation(Path(spec["index"]))
    ix = open_dir(str(gen))
    searcher = ix.searcher(weighting=scoring.BM25F())
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
    body = ix.schema["body"]

    def one(q: str, snippets: bool) -> int:
        results = searcher.search(parser.parse(q), limit=10)
        n = 0
        for hit in results:
            if snippets:
                hit.highlights("body", text=unpack_text(hit.get("text", b"")))
            n += 1
        return n

    for q in spec["warmup"]:
        one(q, False)
    times, hits = [], 0
    for q in spec["queries"]:
        t0 = time.perf_counter()
        hits += one(q, True)
        times.append(time.perf_counter() - t0)
    searcher.close()
    return {
        **_latencies(times),
        "analyzer": type(body.analyzer).__name__,
        "hits_per_query": hits / max(1, len(times)),
    }


def _latencies(times: list[float]) -> dict:
    """Query count and latency percentiles (ms) of per-query wall times in seconds."""
    ms = sorted(t * 1000 for t in times)
    return {
        "queries": len(times),
        "p50_ms": _pct(ms, 50),
        "p95_ms": _pct(ms, 95),
        "p99_ms": _pct(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
        "max_ms": ms[-1] if ms else 0.0,
    }


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def child_main(spec: dict) -> None:
    task = spec["task"]
    if task == "reindex":
        res = _child_reindex(spec)
    elif task == "analysis":
        res = _child_analysis(spec)
    elif task == "search":
        res = _child_search(spec)
    elif task == "stock_search":
        res = _child_stock_search(spec)
    elif task == "tantivy":
        from searchkz.bench.tantivy_baseline import child_tantivy

        res = child_tantivy(spec)
    else:
        raise SystemExit(f"unknown child task {task!r}")
    sys.stdout.write("\n" + json.dumps(res) + "\n")


# -- queries -----------------------------------------------------------------


def make_queries(sentences: list[str], count: int, seed: int = 0) -> list[str]:
    """``count`` seeded queries of 1–4 content words drawn (frequency-weighted)
    from the vocabulary of the sentences the corpus is made of."""
    from searchkz.analysis import WORD_RE
    from searchkz.lang.kk.stop_words import QUESTION_WORDS, STOP_WORDS

    pool = []
    for s in sentences:
        for w in WORD_RE.findall(s):
            lw = w.lower()
            if len(w) >= 4 and w.isalpha() and lw not in STOP_WORDS and lw not in QUESTION_WORDS:
                pool.append(lw)
    if not pool:
        pool = ["қоғам"]
    rng = random.Random(seed)
    return [" ".join(rng.choice(pool) for _ in range(rng.randint(1, 4))) for _ in range(count)]


# -- the benchmark -----------------------------------------------------------


def _touch_one(corpus: CorpusInfo, rng: random.Random) -> tuple[Path, bytes, tuple[int, int]]:
    """Change one article of the corpus; returns what is needed to restore it."""
    root = Path(corpus.path)
    files = sorted(p for p in root.rglob("*" + ("." + corpus.fmt)))
    victim = files[rng.randrange(len(files))]
    original = victim.read_bytes()
    st = victim.stat()
    if corpus.fmt == "txt":
        changed = original.rstrip(b"\n") + " Бұл мақала өзгертілді.\n".encode()
    else:
        lines = original.split(b"\n")
        obj = json.loads(lines[0])
        obj["text"] += " Бұл мақала өзгертілді."
        lines[0] = json.dumps(obj, ensure_ascii=False).encode()
        changed = b"\n".join(lines)
    victim.write_bytes(changed)
    future = time.time_ns() + 2_000_000_000
    os.utime(victim, ns=(future, future))
    return victim, original, (st.st_atime_ns, st.st_mtime_ns)


def _one_shot(indexes: dict, workdir: Path, sentences: list[str], runs: int) -> dict:
    """``searchkz search`` on each of ``indexes`` (``{size: index}``) as a fresh process (start to
    exit), against ``python -c pass``, a process that only imports the libraries a search loads
    (numpy with one BLAS thread, as the command sets it, Whoosh's index and searcher, click, rich's
    console: the floor no search code can go below) and ``searchkz --help``.  A round runs every
    command once, in turn, so the machine's drift falls on all of them alike and their ratios (one
    size to another, a search to the imports) hold on a shared machine; the medians are of ``runs``
    rounds after one warm-up round.  Returns ``{size: {command: {median_s, min_s, cpu_median_s}}}``."""
    import resource

    exe = Path(sys.executable).with_name("searchkz")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "searchkz"]
    query = make_queries(sentences, 1, seed=7)[0]
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "imports": [sys.executable, "-c", "import os; os.environ.setdefault('OPENBLAS_NUM_THREADS', '1'); "
                    "import numpy, whoosh.index, whoosh.searching, click, rich.console"],
        "searchkz --help": base + ["--help"],
    }
    for n, index in indexes.items():
        cmds[n] = base + ["search", query, "--index", str(index), "--color", "never"]
    # as installed: with byte-code caches (kept out of the source tree)
    env = dict(os.environ, NO_COLOR="1", PYTHONPYCACHEPREFIX=str(workdir / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times: dict = {name: [] for name in cmds}
    cpus: dict = {name: [] for name in cmds}
    for _ in range(runs + 1):
        for name, cmd in cmds.items():
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            times[name].append(time.perf_counter() - t0)
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
            if r.returncode not in (0, 1):
                raise RuntimeError(f"{cmd[1:3]} failed: {r.stderr.decode(errors='replace')[-500:]}")
    summary = {}
    for name in cmds:
        t, c = sorted(times[name][1:]), sorted(cpus[name][1:])  # the first round only warms the caches
        summary[name] = {"median_s": statistics.median(t), "min_s": t[0], "cpu_median_s": statistics.median(c)}
    shared = {name: summary[name] for name in ("python -c pass", "imports", "searchkz --help")}
    return {n: {"query": query, "runs": runs, "sizes_in_turn": list(indexes), **shared, "searchkz search": summary[n],
                "ratio_search_vs_python": summary[n]["median_s"] / shared["python -c pass"]["median_s"]}
            for n in indexes}


def bench_size(n: int, args, sentences: list[str], source: str, log) -> dict:
    workdir = Path(args.workdir)
    log(f"== N={n:,}: corpus")
    corpus = ensure_corpus(workdir, n, sentences, source, args.seed, args.words, args.format)
    log(f"   {corpus.articles:,} articles, {corpus.mb:.1f} MB in {corpus.files:,} files"
        f" ({'reused' if corpus.reused else f'built in {corpus.seconds:.0f}s'})")
    result: dict = {"n": n, "corpus": asdict(corpus), "reindex": []}
    procs_list = [int(p) for p in args.procs.split(",")]
    if args.large_procs and n >= args.large_size:
        procs_list = [int(p) for p in args.large_procs.split(",")]
    engines = args.engines.split(",")
    keep = None  # the searchkz index kept for the incremental and search measurements
    keep_stock = None  # the stock index kept for the search baseline
    keep_before = None  # the commit before's index: its warm search, in the same run
    for procs in procs_list:
        for engine in engines:
            index = workdir / f"index-{engine}-{n}-p{procs}"
            shutil.rmtree(index, ignore_errors=True)
            log(f"   reindex {engine} procs={procs} …")
            spec = {"task": "reindex", "engine": "searchkz" if engine == "before" else engine, "index": str(index),
                    "corpus": corpus.path, "procs": procs}
            if args.profile:
                spec["profile"] = str(workdir / f"profile-{engine}-{n}-p{procs}.prof")
            load0 = _loadavg()
            r = run_child(spec, python=args.before_python if engine == "before" else None)
            r["loadavg_before"], r["loadavg_after"] = load0, _loadavg()
            if r["documents"] != n:
                raise RuntimeError(f"{engine} indexed {r['documents']} of {n} articles")
            r.update(engine=engine, procs=procs, articles_per_s=n / r["seconds"], mb_per_s=corpus.mb / r["seconds"],
                     # what the wall time would be with the CPUs to ourselves (perfect overlap of the procs)
                     articles_per_cpu_s=n / max(r["cpu_seconds"] / procs, r["cpu_seconds"] / (os.cpu_count() or 1)),
                     index_to_corpus=r["index_bytes"] / corpus.bytes)
            result["reindex"].append(r)
            log(f"     {r['seconds']:.1f}s  {r['articles_per_s']:.0f} art/s  index {r['index_bytes'] / 1e6:.1f} MB"
                f"  RSS main {r['peak_rss_main_mb']:.0f} MB workers {r['peak_rss_workers_mb']:.0f} MB")
            if engine == "searchkz" and procs == max(procs_list):
                if keep is not None:
                    shutil.rmtree(keep, ignore_errors=True)
                keep = index
            elif engine == "stock" and procs == max(procs_list):
                keep_stock = index
            elif engine == "before" and procs == max(procs_list):
                keep_before = index
            elif not args.keep:
                shutil.rmtree(index, ignore_errors=True)
    by = {(r["engine"], r["procs"]): r for r in result["reindex"]}
    result["ratios"] = {}
    for procs in procs_list:
        for engine in engines:
            if engine != "searchkz" and ("searchkz", procs) in by and (engine, procs) in by:
                a, b = by[("searchkz", procs)], by[(engine, procs)]
                result["ratios"][f"searchkz/{engine} p{procs}"] = a["seconds"] / b["seconds"]
                result["ratios"][f"searchkz/{engine} p{procs} cpu"] = a["cpu_seconds"] / b["cpu_seconds"]
    if "searchkz" in engines and not args.skip_analysis:
        limit = min(n, args.analysis_docs) if args.analysis_docs else n
        log(f"   analysis only ({limit:,} documents) …")
        a = {}
        for engine in ("searchkz", "stock"):
            a[engine] = run_child({"task": "analysis", "engine": engine, "corpus": corpus.path, "limit": limit})
        a["ratio_same_fields"] = a["searchkz"]["all_fields_seconds"] / a["stock"]["all_fields_seconds"]
        a["ratio_vs_stock_title_body"] = a["searchkz"]["all_fields_seconds"] / a["stock"]["title_body_seconds"]
        result["analysis"] = a
        log(f"     searchkz {a['searchkz']['all_fields_seconds']:.1f}s, stock {a['stock']['all_fields_seconds']:.1f}s"
            f" (ratio {a['ratio_same_fields']:.2f})")
    if keep is not None:
        rng = random.Random(args.seed + n)
        log("   incremental reindex …")
        inc = {}
        r = run_child({"task": "reindex", "engine": "searchkz", "index": str(keep), "corpus": corpus.path,
                       "procs": max(procs_list), "full": False})
        inc["unchanged"] = r
        victim, original, (atime, mtime) = _touch_one(corpus, rng)
        try:
            r = run_child({"task": "reindex", "engine": "searchkz", "index": str(keep), "corpus": corpus.path,
                           "procs": max(procs_list), "full": False})
            if r["updated"] != 1 or r["full"]:
                raise RuntimeError(f"incremental reindex did not update exactly one article: {r}")
            inc["one_changed"] = r
        finally:
            victim.write_bytes(original)
            os.utime(victim, ns=(atime, mtime))
        result["incremental"] = inc
        log(f"     1 changed: {inc['one_changed']['seconds']:.2f}s, none changed: {inc['unchanged']['seconds']:.2f}s")
        log(f"   search ({args.queries} queries a mode) …")
        qs = make_queries(sentences, 2 * args.queries + 50, seed=args.seed + 1)
        warm, with_snip, without = qs[:50], qs[50 : 50 + args.queries], qs[50 + args.queries :]
        result["search"] = run_child({"task": "search", "index": str(keep), "warmup": warm, "queries": with_snip})
        result["search_nosnippets"] = run_child({"task": "search", "index": str(keep), "warmup": warm,
                                                 "queries": without, "snippets": False})
        s, o = result["search"], result["search_nosnippets"]
        log(f"     with snippets p50 {s['p50_ms']:.2f} ms p95 {s['p95_ms']:.2f} ms; without p50 {o['p50_ms']:.2f} ms "
            f"p95 {o['p95_ms']:.2f} ms; peak RSS {max(s['peak_rss_mb'], o['peak_rss_mb']):.0f} MB")
        if "tantivy" in args.baselines.split(","):
            for mode, key, queries in (("stems", "tantivy_stems", without), ("default", "tantivy_default", with_snip)):
                result[key] = run_child({"task": "tantivy", "mode": mode, "corpus": corpus.path,
                                         "workdir": str(workdir), "warmup": warm, "queries": queries})
                t = result[key]
                log(f"     tantivy {mode}: p50 {t['p50_ms']:.2f} ms p95 {t['p95_ms']:.2f} ms")
        if keep_before is not None:  # (its own defaults: the commit before may split a search in two processes)
            result["search_before"] = run_child({"task": "search", "index": str(keep_before), "warmup": warm,
                                                 "queries": with_snip}, python=args.before_python)
            b = result["search_before"]
            log(f"     searchkz, commit before, with snippets: p50 {b['p50_ms']:.2f} ms  p95 {b['p95_ms']:.2f} ms")
        if keep_stock is not None:
            result["search_stock"] = run_child({"task": "stock_search", "index": str(keep_stock),
                                                "warmup": warm, "queries": with_snip})
            b = result["search_stock"]
            log(f"     stock Whoosh: p50 {b['p50_ms']:.1f} ms  p95 {b['p95_ms']:.1f} ms")
        result["index"] = str(keep)  # (the one-shot searches run on it once every size is built)
    for extra in (keep_stock, keep_before):
        if extra is not None and not args.keep:
            shutil.rmtree(extra, ignore_errors=True)
    return result


def _ratio(r: dict, a: str, b: str):
    if a in r and b in r:
        return r[a]["p50_ms"] / max(r[b]["p50_ms"], 1e-9)
    return None


def _one_shot_ratio(results: dict):
    sizes = results["sizes"]
    if "10000" in sizes and "100000" in sizes and "one_shot" in sizes["10000"] and "one_shot" in sizes["100000"]:
        return (sizes["100000"]["one_shot"]["searchkz search"]["median_s"]
                / sizes["10000"]["one_shot"]["searchkz search"]["median_s"])
    return None


TARGETS = [
    # (label, size, getter, limit, "le"/"ge"); a getter of the whole results has size None
    ("search p50, no snippets / tantivy on our stems", 100_000,
     lambda r: _ratio(r, "search_nosnippets", "tantivy_stems"), 2.5, "le"),
    ("search p50, snippets / tantivy + SnippetGenerator", 100_000,
     lambda r: _ratio(r, "search", "tantivy_default"), 1.5, "le"),
    ("snippets add to p50, ms", 100_000,
     lambda r: r["search"]["p50_ms"] - r["search_nosnippets"]["p50_ms"] if "search" in r else None, 2, "le"),
    ("search p50 with snippets, ms", 10_000, lambda r: r.get("search", {}).get("p50_ms"), 3, "le"),
    ("one-shot searchkz search, s", 100_000,
     lambda r: r.get("one_shot", {}).get("searchkz search", {}).get("median_s"), 0.30, "le"),
    ("one-shot search 100k / 10k", None, _one_shot_ratio, 1.2, "le"),
    ("searchkz --help, s", 100_000, lambda r: r.get("one_shot", {}).get("searchkz --help", {}).get("median_s"),
     0.10, "le"),
    ("peak RSS of a searching process, MB", 100_000,
     lambda r: max(r["search"]["peak_rss_mb"], r["search_nosnippets"]["peak_rss_mb"]) if "search" in r else None,
     250, "le"),
    ("search p50 with snippets / commit before (issue 17: at most 10% slower)", 100_000,
     lambda r: _ratio(r, "search", "search_before"), 1.1, "le"),
    ("full reindex time searchkz / commit before, 2 procs", 100_000,
     lambda r: r["ratios"].get("searchkz/before p2"), 1.0, "le"),
    ("index size / corpus size", 100_000, lambda r: _reindex(r, "searchkz", 2, "index_to_corpus"), 1.3, "le"),
]


def _peak_rss(r: dict, engine: str, procs: int):
    """The larger of the sampled process-tree peak and the exact per-process peaks
    (a short spike can fall between two samples)."""
    vals = [_reindex(r, engine, procs, k) for k in ("peak_rss_tree_mb", "peak_rss_main_mb", "peak_rss_workers_mb")]
    vals = [v for v in vals if v is not None]
    return max(vals) if vals else None


def _reindex(r: dict, engine: str, procs: int, key: str):
    for x in r["reindex"]:
        if x["engine"] == engine and x["procs"] == procs:
            return x.get(key)
    return None


def check_targets(results: dict) -> list[dict]:
    out = []
    sizes = results["sizes"]
    for label, size, get, limit, how in TARGETS:
        if size is None:
            key, value = None, get(results)
            out.append({"target": label, "size": None, "value": value, "limit": limit,
                        "op": "≤" if how == "le" else "≥", "met": None if value is None else value <= limit})
            continue
        key = str(size) if str(size) in sizes else (max(sizes, key=int) if sizes else None)
        try:
            value = get(sizes[key]) if key else None
        except (KeyError, TypeError):
            value = None
        ok = None if value is None else (value <= limit if how == "le" else value >= limit)
        out.append({"target": label, "size": int(key) if key else None, "value": value, "limit": limit,
                    "op": "≤" if how == "le" else "≥", "met": ok})
    return out


def format_table(results: dict) -> str:
    lines = []
    add = lines.append
    m = results["machine"]
    add(f"searchkz speed benchmark — {m['cpus']} CPUs, Python {m['python']}, whoosh {m['whoosh']}; "
        f"sentences: {results['sentences_source']}")
    for key in sorted(results["sizes"], key=int):
        r = results["sizes"][key]
        c = r["corpus"]
        add("")
        add(f"N = {int(key):,} articles: {c['bytes'] / 1e6:.1f} MB corpus (.{c['fmt']}, {c['files']:,} files, "
            f"{c['words'] / max(1, c['articles']):.0f} words/article)")
        add(f"  {'full reindex':<22} {'procs':>5} {'time s':>8} {'CPU s':>7} {'art/s':>7} {'MB/s':>6} {'idle a/s':>8} {'index MB':>9} "
            f"{'×corpus':>7} {'RSS main':>9} {'workers':>8} {'tree MB':>8}")
        for x in r["reindex"]:
            name = {"searchkz": "searchkz", "stock": "stock analyzer (std)", "plain": "stock title+body",
                    "whoosh": "Whoosh's own writer", "before": "searchkz, commit before"}[x["engine"]]
            add(f"  {name:<22} {x['procs']:>5} {x['seconds']:>8.1f} {x['cpu_seconds']:>7.1f} {x['articles_per_s']:>7.0f} "
                f"{x['mb_per_s']:>6.2f} {x.get('articles_per_cpu_s', 0):>8.0f} "
                f"{x['index_bytes'] / 1e6:>9.1f} {x['index_to_corpus']:>7.2f} {x['peak_rss_main_mb']:>9.0f} "
                f"{x['peak_rss_workers_mb']:>8.0f} {x.get('peak_rss_tree_mb', 0):>8.0f}")
        rat = r.get("ratios", {})
        loads = [x.get("loadavg_before") for x in r["reindex"] if x.get("loadavg_before") is not None]
        if loads:
            add(f"  (1-min load average before the reindexes: {', '.join(f'{v:.1f}' for v in loads)} on "
                f"{m['cpus']} CPUs: wall times include other work on the machine, CPU times do not; "
                f"idle a/s = articles / (CPU s / procs), the rate with the CPUs to ourselves)")
        for name, v in rat.items():
            if not name.endswith(" cpu"):
                add(f"  ratio {name}: wall time {v:.2f}, CPU time {rat.get(name + ' cpu', float('nan')):.2f}")
        a = r.get("analysis")
        if a:
            s, k = a["searchkz"], a["stock"]
            add(f"  analysis only (CPU), {s['documents']:,} docs (title+body+exact): searchkz {s['all_fields_seconds']:.1f}s"
                f" (warm cache {s['all_fields_warm_seconds']:.1f}s), stock {k['all_fields_seconds']:.1f}s → ratio "
                f"{a['ratio_same_fields']:.2f}; vs stock title+body only {k['title_body_seconds']:.1f}s → "
                f"{a['ratio_vs_stock_title_body']:.2f}; corpus read {s['read_seconds']:.1f}s")
        inc = r.get("incremental")
        if inc:
            add(f"  incremental reindex: 1 of {int(key):,} changed {inc['one_changed']['seconds']:.2f}s; "
                f"nothing changed {inc['unchanged']['seconds']:.2f}s")
        for key_, label in (("search", "top 10 + snippets"), ("search_nosnippets", "top 10, no snippets")):
            s = r.get(key_)
            if s:
                add(f"  search, {s['queries']} queries of 1-4 words, {label}, warm, one process: p50 {s['p50_ms']:.2f} ms, "
                    f"p95 {s['p95_ms']:.2f} ms, mean {s['mean_ms']:.2f} ms, max {s['max_ms']:.0f} ms "
                    f"({s['hits_per_query']:.1f} hits/query, peak RSS {s.get('peak_rss_mb', 0):.0f} MB)")
        for key_, label, vs in (("tantivy_stems", "tantivy on searchkz's stems, no snippets", "search_nosnippets"),
                                ("tantivy_default", "tantivy default tokenizer + SnippetGenerator", "search"),
                                ("search_stock", "stock Whoosh (title+body OR, BM25F) + highlights", "search"),
                                ("search_before", "searchkz, commit before, + snippets (its defaults)", "search")):
            b, s = r.get(key_), r.get(vs)
            if b and s:
                add(f"  {label}, same queries: p50 {b['p50_ms']:.2f} ms, p95 {b['p95_ms']:.2f} ms → ratio searchkz/it "
                    f"p50 {s['p50_ms'] / max(b['p50_ms'], 1e-9):.2f}, p95 {s['p95_ms'] / max(b['p95_ms'], 1e-9):.2f}")
        cs = r.get("one_shot")
        if cs:
            add(f"  one-shot (median of {cs['runs']}, every command and size in turn; wall / CPU): python -c pass "
                f"{cs['python -c pass']['median_s']:.3f}s / {cs['python -c pass']['cpu_median_s']:.3f}s, "
                + (f"the libraries' imports {cs['imports']['median_s']:.3f}s, " if "imports" in cs else "")
                + f"searchkz --help {cs['searchkz --help']['median_s']:.3f}s, "
                f"searchkz search {cs['searchkz search']['median_s']:.3f}s / {cs['searchkz search']['cpu_median_s']:.3f}s")
    if results.get("targets"):
        add("")
        add("targets:")
        for t in results["targets"]:
            v = t["value"]
            vs = "n/a" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
            mark = "n/a" if t["met"] is None else ("met" if t["met"] else "MISSED")
            add(f"  {t['target']:<52} N={t['size'] or 0:>7,}  {vs:>9} {t['op']} {t['limit']:<6} {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m searchkz.bench.speed",
        description="Indexing and search speed of searchkz against stock Whoosh on a generated news corpus.",
    )
    p.add_argument("--sentences", default=os.environ.get("SEARCHKZ_BENCH_SENTENCES"),
                   help="sentences to build articles from: .jsonl (text key), .txt (one per line) or a folder "
                        "of articles [default: $SEARCHKZ_BENCH_SENTENCES, else the bundled corpus/]")
    p.add_argument("--sizes", default="10000,100000", help="comma-separated article counts [%(default)s]")
    p.add_argument("--procs", default="1,2", help="comma-separated process counts [%(default)s]")
    p.add_argument("--engines", default="searchkz,stock,whoosh",
                   help="searchkz, stock (same fields and writer, StandardAnalyzer), whoosh (stock fields "
                        "written by Whoosh's own writer), plain (stock title+body only), before (searchkz as "
                        "--before-python runs it) [%(default)s]")
    p.add_argument("--before-python", help="the interpreter of another searchkz checkout (e.g. the commit before "
                                           "a change) for the engine 'before'")
    p.add_argument("--baselines", default="tantivy", help="search baselines: tantivy (needs the bench extra) or "
                                                          "none [%(default)s]")
    p.add_argument("--large-procs", default="",
                   help="process counts for sizes ≥ --large-size instead of --procs (e.g. 2: skip the slow "
                        "1-process runs at 100k)")
    p.add_argument("--large-size", type=int, default=50_000)
    p.add_argument("--format", choices=["txt", "jsonl"], default="txt", help="corpus files [%(default)s]")
    p.add_argument("--words", type=int, default=300, help="words per article [%(default)s]")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--queries", type=int, default=200, help="timed queries [%(default)s]")
    p.add_argument("--analysis-docs", type=int, default=20000,
                   help="documents for the analysis-only measurement (0 = all) [%(default)s]")
    p.add_argument("--skip-analysis", action="store_true")
    p.add_argument("--skip-cold", action="store_true", help="skip the one-shot search measurement")
    p.add_argument("--cold-runs", type=int, default=7)
    p.add_argument("--workdir", default=str(DEFAULT_WORKDIR), help="corpora and indexes [%(default)s]")
    p.add_argument("--keep", action="store_true", help="keep the indexes")
    p.add_argument("--profile", action="store_true", help="cProfile each reindex (main process) into workdir")
    p.add_argument("--json-out", help="write the results as JSON here")
    p.add_argument("--search-index", metavar="DIR",
                   help="only measure warm search latency (top 10 + snippets) on this existing index, with "
                        "queries drawn from --sentences")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child_main(json.loads(args.child))
        return 0
    if args.search_index:
        return _search_only(args)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    import platform

    import whoosh

    sentences, source = load_sentences(args.sentences)
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    results: dict = {
        "command": " ".join(["python -m searchkz.bench.speed"] + (argv if argv is not None else sys.argv[1:])),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "whoosh": getattr(whoosh, "__version__", None) or whoosh.versionstring(), "platform": platform.platform()},
        "sentences_source": source,
        "sentences": len(sentences),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "loadavg_start": _loadavg(),
        "sizes": {},
    }
    kept = {}
    for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
        results["sizes"][str(n)] = bench_size(n, args, sentences, source, log)
        if results["sizes"][str(n)].get("index"):
            kept[n] = Path(results["sizes"][str(n)]["index"])
    if kept and not args.skip_cold:
        log(f"== one-shot searches, {' and '.join(f'{n:,}' for n in kept)} articles in turn …")
        for n, one in _one_shot(kept, Path(args.workdir), sentences, args.cold_runs).items():
            results["sizes"][str(n)]["one_shot"] = one
            log(f"     N={n:,}: searchkz search {one['searchkz search']['median_s']:.3f}s, "
                f"the libraries' imports {one['imports']['median_s']:.3f}s")
    if not args.keep:
        for index in kept.values():
            shutil.rmtree(index, ignore_errors=True)
    results["targets"] = check_targets(results)
    table = format_table(results)
    results["table"] = table
    print(table)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump(results, fh, ensure_ascii=False, indent=1)
    return 0


def _search_only(args) -> int:
    """Search latency on an index built elsewhere (e.g. ``searchkz reindex`` of a benchmark corpus)."""
    from searchkz.api import Index
    from searchkz.errors import SearchkzError

    try:
        docs = Index(args.search_index).doc_count()
    except SearchkzError as exc:
        print(f"searchkz.bench.speed: error: {exc}", file=sys.stderr)
        return 2
    sentences, source = load_sentences(args.sentences)
    queries = make_queries(sentences, args.queries + 20, seed=args.seed)
    spec = {"index": args.search_index, "warmup": queries[:20], "queries": queries[20:]}
    res = _child_search(spec)
    plain = _child_search({**spec, "snippets": False})
    stock = _child_stock_search(spec)
    print(
        f"search on {args.search_index} ({docs:,} documents), {res['queries']} queries of 1-4 words, "
        f"top 10, warm, one process: with snippets p50 {res['p50_ms']:.2f} ms, p95 {res['p95_ms']:.2f} ms; "
        f"without p50 {plain['p50_ms']:.2f} ms, p95 {plain['p95_ms']:.2f} ms; errors {res['errors']}\n"
        f"Whoosh's own search on the same index (title+body OR, BM25F, top 10 + highlights): "
        f"p50 {stock['p50_ms']:.1f} ms, p95 {stock['p95_ms']:.1f} ms → ratio p50 "
        f"{res['p50_ms'] / max(stock['p50_ms'], 1e-9):.2f}, p95 {res['p95_ms'] / max(stock['p95_ms'], 1e-9):.2f}"
    )
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump({"search_index": args.search_index, "documents": docs, "sentences_source": source, **res,
                       "no_snippets": plain, "whoosh_search": stock}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
