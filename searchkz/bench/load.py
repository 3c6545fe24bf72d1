"""Load benchmark of ``searchkz serve`` (a runnable module, not a timed test).

    python -m searchkz.bench.load --sentences /work/shared/data/kaznerd/sentences.jsonl \\
        --docs 10000 --clients 20 --requests 5000 --reindex --json-out load.json

Starts the server in its own process on 127.0.0.1 (a free port), then ``--clients``
threads send ``--requests`` searches in all (seeded 1–4-word queries from the corpus
vocabulary, top 10 with snippets, keep-alive connections), stopping early at
``--max-seconds``.  It reports throughput, latency p50/p95/max and errors (any status
but 200, any failed connection).  ``--reindex`` starts a full reindex of the corpus in
another process once a third of the requests are done: the server must answer every
request while generations swap, and serve the new generation afterwards.

The baseline, measured in the same run: the same searches called on
:class:`searchkz.api.Index` directly, one after another, in this process (what HTTP,
JSON and the concurrency add).  ``--access lock,thread`` compares one shared
``Index`` behind a lock with one ``Index`` per request thread.  ``--startup N`` times
``searchkz serve`` from launch to the first answered health check and search, against
``python -c pass``.

The corpus and index come from ``--index DIR`` (with ``--corpus DIR`` for
``--reindex``) or are built with the article generator of
:mod:`searchkz.bench.speed` (``--docs``, ``--sentences``, ``--workdir``; reused).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank percentile ``p`` (0–100) of sorted values (0.0 when empty).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
    (2.0, 4.0)
    """
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def summarize(times: list[float], errors: int, seconds: float) -> dict:
    """Latencies (s) of the answered requests -> ms figures and throughput."""
    s = sorted(times)
    return {
        "requests": len(times) + errors,
        "ok": len(times),
        "errors": errors,
        "seconds": round(seconds, 2),
        "throughput_rps": round(len(times) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(s, 50) * 1000, 1),
        "p95_ms": round(percentile(s, 95) * 1000, 1),
        "max_ms": round((s[-1] if s else 0.0) * 1000, 1),
    }


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its live children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def generation(port: int) -> str:
    """The index generation the server answers from (a new connection: idle ones time out)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        return json.loads(get(conn, "/api/stats")[1])["generation"]
    finally:
        conn.close()


def wait_up(port: int, timeout: float, path: str = "/api/health") -> float:
    """Poll until ``path`` answers 200; the monotonic time it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, _ = get(conn, path)
            conn.close()
            if status == 200:
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"the server on port {port} did not answer {path} within {timeout:.0f} s")


def start_server(index: Path, port: int, access: str) -> subprocess.Popen:
    """``access``: "lock", "thread", or "lock*N" (``serve --workers N``: N search processes)."""
    access, _, workers = access.partition("*")
    code = (f"from searchkz.server import serve; serve({str(index)!r}, port={port}, access={access!r}, "
            f"workers={int(workers or 1)}, echo=lambda s: None)")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Reindexer(threading.Thread):
    """A full reindex in another process (``searchkz reindex --full``), started on demand."""

    def __init__(self, corpus: Path, index: Path) -> None:
        super().__init__(daemon=True)
        self.corpus, self.index = corpus, index
        self.started_at = self.ended_at = None
        self.returncode = None
        self.go = threading.Event()

    def run(self) -> None:
        self.go.wait()
        self.started_at = time.monotonic()
        cmd = [sys.executable, "-m", "searchkz", "reindex", "--full", "--quiet",
               "--corpus", str(self.corpus), "--index", str(self.index)]
        self.returncode = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        self.ended_at = time.monotonic()


def run_load(port: int, queries: list[str], clients: int, requests: int, max_seconds: float,
             reindexer: Reindexer | None = None) -> dict:
    """``clients`` threads share ``requests`` searches; latencies, errors and (with a reindexer) how
    many requests were answered while it ran."""
    lock = threading.Lock()
    state = {"next": 0, "done": 0}
    times: list[tuple[float, float]] = []  # (finished at, latency)
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds
    trigger = requests // 3

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                i = state["next"]
                if i >= requests:
                    break
                state["next"] += 1
            path = "/api/search?" + urllib.parse.urlencode({"q": queries[i % len(queries)], "limit": 10})
            t0 = time.monotonic()
            try:
                status, body = get(conn, path)
                ok = status == 200
                why = f"HTTP {status}: {body[:200]!r}"
            except (OSError, http.client.HTTPException) as exc:
                ok, why = False, f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t1 = time.monotonic()
            with lock:
                (times.append((t1, t1 - t0)) if ok else errors.append(why))
                state["done"] += 1
                if reindexer is not None and state["done"] == trigger:
                    reindexer.go.set()
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    if reindexer is not None:
        reindexer.start()  # waits for its go
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = summarize([lat for _, lat in times], len(errors), time.monotonic() - t0)
    out["first_errors"] = errors[:5]
    if reindexer is not None:
        reindexer.go.set()
        reindexer.join()
        during = [lat for end, lat in times if reindexer.started_at <= end <= reindexer.ended_at]
        out["reindex"] = {
            "returncode": reindexer.returncode,
            "seconds": round(reindexer.ended_at - reindexer.started_at, 1),
            "during": summarize(during, 0, reindexer.ended_at - reindexer.started_at),
        }
    return out


def in_process_baseline(index: Path, queries: list[str], n: int) -> dict:
    """The same searches on an Index in this process, sequentially (the warm-up search not timed)."""
    from searchkz.api import Index

    ix = Index(index)
    ix.search(queries[0], limit=10)
    times = []
    t0, cpu = time.monotonic(), time.process_time()
    for q in queries[:n]:
        s = time.monotonic()
        ix.search(q, limit=10)
        times.append(time.monotonic() - s)
    out = summarize(times, 0, time.monotonic() - t0)
    out["cpu_ms_per_search"] = round((time.process_time() - cpu) / n * 1000, 2)
    ix.close()
    return out


def startup(index: Path, runs: int) -> dict:
    """``searchkz serve`` from launch to its first health answer and first search (median of
    ``runs``), and ``python -c pass`` as the floor."""
    def median(xs):
        return round(sorted(xs)[len(xs) // 2], 3)

    health, first, floor = [], [], []
    for _ in range(runs):
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        floor.append(time.monotonic() - t)
        port = free_port()
        t = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "searchkz", "serve", "--index", str(index), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            health.append(wait_up(port, 30) - t)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, _ = get(conn, "/api/search?" + urllib.parse.urlencode({"q": "қоғам"}))
            first.append(time.monotonic() - t)
            conn.close()
        finally:
            stop(proc)
    return {"runs": runs, "health_s": median(health), "first_search_s": median(first),
            "python_pass_s": median(floor), "health_all_s": [round(x, 3) for x in health]}


def prepare(args) -> tuple[Path, Path | None, list[str]]:
    """The index (and corpus) to serve, and the sentences queries are drawn from."""
    from searchkz.bench import speed

    sentences, source = speed.load_sentences(args.sentences)
    if args.index:
        return Path(args.index), Path(args.corpus) if args.corpus else None, sentences
    workdir = Path(args.workdir)
    info = speed.ensure_corpus(workdir, args.docs, sentences, source, seed=args.seed, words=300, fmt="txt")
    index = workdir / f"index-{args.docs}"
    from searchkz.api import Index

    ix = Index(index)
    if not ix.exists():
        print(f"building the index of {args.docs} articles in {index} ...", file=sys.stderr)
        ix.reindex(info.path, full=True)
    return index, Path(info.path), sentences


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m searchkz.bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", help="serve this index (else one is built from --docs generated articles)")
    ap.add_argument("--corpus", help="the corpus of --index (needed for --reindex)")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--sentences", help="sentences to generate articles and queries from (JSONL or text)")
    ap.add_argument("--workdir", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "searchkz-load"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--max-seconds", type=float, default=600.0, help="stop sending after this long")
    ap.add_argument("--access", default="lock",
                    help="lock, thread, lock*2 (serve --workers 2: two search processes), several (lock,thread), or none")
    ap.add_argument("--reindex", action="store_true", help="a full reindex in another process mid-run")
    ap.add_argument("--baseline", type=int, default=500, help="searches in the in-process baseline (0: none)")
    ap.add_argument("--startup", type=int, default=0, metavar="RUNS", help="also time serve's startup")
    ap.add_argument("--json-out")
    args = ap.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 1 <= args.requests <= 1_000_000:
        ap.error("--clients must be 1..200 and --requests 1..1000000")

    from searchkz.bench import speed

    index, corpus, sentences = prepare(args)
    if args.reindex and corpus is None:
        ap.error("--reindex needs --corpus with --index")
    queries = speed.make_queries(sentences, max(args.requests, 1000), seed=args.seed)
    results = {"index": str(index), "clients": args.clients, "requests": args.requests, "cpus": os.cpu_count(),
               "loadavg_before": os.getloadavg()[0], "runs": {}}
    if args.baseline:
        results["in_process"] = in_process_baseline(index, queries, args.baseline)
        print(f"in-process baseline: {json.dumps(results['in_process'])}", file=sys.stderr)
    for access in [a for a in args.access.split(",") if a not in ("", "none")]:
        port = free_port()
        proc = start_server(index, port, access)
        try:
            wait_up(port, 60)
            cpu, client_cpu = tree_cpu_seconds(proc.pid), time.process_time()
            run = run_load(port, queries, args.clients, args.requests, args.max_seconds)
            run["server_cpu_ms_per_search"] = round((tree_cpu_seconds(proc.pid) - cpu) / run["requests"] * 1000, 2)
            run["client_cpu_ms_per_search"] = round((time.process_time() - client_cpu) / run["requests"] * 1000, 2)
            run["loadavg"] = os.getloadavg()[0]
            results["runs"][access] = run
            print(f"{access}: {json.dumps(run)}", file=sys.stderr)
            if args.reindex:
                before = generation(port)
                r = run_load(port, queries, args.clients, args.requests, args.max_seconds, Reindexer(corpus, index))
                after = generation(port)
                r["generation_before"], r["generation_after"] = before, after
                r["loadavg"] = os.getloadavg()[0]
                results["runs"][access + "+reindex"] = r
                print(f"{access}+reindex: {json.dumps(r)}", file=sys.stderr)
        finally:
            stop(proc)
    if args.startup:
        results["startup"] = startup(index, args.startup)
    results["loadavg_after"] = os.getloadavg()[0]
    print(format_table(results))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    bad = [k for k, r in results["runs"].items() if r["errors"] or r.get("reindex", {}).get("returncode", 0)]
    return 1 if bad else 0


def format_table(results: dict) -> str:
    lines = [f"index {results['index']}, {results['clients']} clients, {results['requests']} searches, "
             f"{results['cpus']} cpus, load {results['loadavg_before']:.1f} -> {results['loadavg_after']:.1f}",
             f"{'run':<16}{'ok':>7}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu ms':>9}"]
    rows = list(results["runs"].items())
    if "in_process" in results:
        rows.insert(0, ("in-process", results["in_process"]))
    for name, r in rows:
        cpu = r.get("server_cpu_ms_per_search", r.get("cpu_ms_per_search", ""))
        lines.append(f"{name:<16}{r['ok']:>7}{r['errors']:>8}{r['throughput_rps']:>9}{r['p50_ms']:>9}"
                     f"{r['p95_ms']:>9}{r['max_ms']:>9}{cpu:>9}")
        if "reindex" in r:
            d = r["reindex"]
            lines.append(f"  reindex: exit {d['returncode']}, {d['seconds']} s, {d['during']['ok']} searches "
                         f"answered meanwhile (p95 {d['during']['p95_ms']} ms); generation "
                         f"{r['generation_before']} -> {r['generation_after']}")
    if "startup" in results:
        s = results["startup"]
        lines.append(f"startup (median of {s['runs']}): health {s['health_s']} s, first search "
                     f"{s['first_search_s']} s; python -c pass {s['python_pass_s']} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
