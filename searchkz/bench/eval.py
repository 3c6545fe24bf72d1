"""The evaluation behind the README's table.

``python -m searchkz.bench.eval --collection collection.jsonl --topics queries.tsv --qrels qrels.trec [--workdir DIR] [--json OUT]``

builds the searchkz index of the collection (if missing) and two baseline
indexes, then runs, each as one batch with one searcher:

* ``searchkz`` on the clean queries and on three rewrites of them
  (:mod:`searchkz.bench.variants`: ``nokazakh``, ``latin``, ``lookalike``);
* ``bm25-standard`` — plain BM25 over title and body with Whoosh's
  ``StandardAnalyzer`` (lowercase words), the query a ranked OR of its words;
* ``bm25-trunc5`` — the same with every word truncated to its first 5 letters.

and prints one table: MRR@10, nDCG@10, Recall@100 (trec_eval definitions, see
:mod:`searchkz.bench.metrics`) and the wall time of the query batch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from searchkz.bench.metrics import Run, Scores, compare, evaluate, read_qrels, read_run

RUN_DEPTH = 100


@dataclass
class Row:
    name: str
    scores: Scores
    seconds: float

    def as_dict(self) -> dict:
        return {"name": self.name, **self.scores.as_dict(), "seconds": round(self.seconds, 3)}


def rounded(run: Run, places: int = 4) -> Run:
    """Scores rounded as a TREC run file prints them (so metrics equal trec_eval's on the file)."""
    return {q: [(d, round(s, places)) for d, s in docs] for q, docs in run.items()}


def run_searchkz(index_path, queries, limit: int = RUN_DEPTH) -> tuple[Run, float]:
    """One batch of ``queries`` against a searchkz index: ``(run, seconds)`` including opening it."""
    from searchkz.api import Index
    from searchkz.bench.trec import run_topics

    started = time.perf_counter()
    with Index(index_path) as ix:
        run = run_topics(ix, queries, limit)
    return rounded(run), time.perf_counter() - started


def evaluate_index(index_path, topics, qrels_path, baseline: str | Path | None = None) -> dict:
    """What ``searchkz eval`` prints: the scores of the index's run, and per-query changes against a baseline run."""
    from searchkz.bench.trec import read_topics

    queries = read_topics(topics)
    qrels = read_qrels(qrels_path)
    run, seconds = run_searchkz(index_path, queries)
    scores = evaluate(run, qrels)
    out = {"scores": scores, "seconds": seconds}
    if baseline is not None:
        base = evaluate(read_run(baseline), qrels)
        out["baseline"] = base
        out["wins"], out["losses"], out["ties"] = compare(scores, base)
    return out


def format_comparison(out: dict, show: int = 10) -> str:
    """The text ``searchkz eval`` prints for :func:`evaluate_index`'s result."""
    s = out["scores"]
    lines = [
        f"MRR@10      {s.mrr10:.4f}",
        f"nDCG@10     {s.ndcg10:.4f}",
        f"Recall@100  {s.recall100:.4f}",
        f"queries     {s.queries}",
        f"batch       {out['seconds']:.2f} s",
    ]
    if "baseline" in out:
        b = out["baseline"]
        lines.append("")
        lines.append(
            f"baseline    MRR@10 {b.mrr10:.4f}  nDCG@10 {b.ndcg10:.4f}  Recall@100 {b.recall100:.4f}  "
            f"(change {s.mrr10 - b.mrr10:+.4f} MRR@10)"
        )
        lines.append(f"per query (MRR@10): {len(out['wins'])} wins, {len(out['losses'])} losses, {out['ties']} ties")
        for label, rows in (("wins", out["wins"]), ("losses", out["losses"])):
            if rows:
                lines.append(f"  {label}:" + ("" if len(rows) <= show else f" (largest {show})"))
                for qid, old, new in rows[:show]:
                    lines.append(f"    {qid}  {old:.3f} -> {new:.3f}")
    return "\n".join(lines)


# -- baselines ------------------------------------------------------------------


def _read_collection(path) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                docs.append({"id": str(d["id"]), "title": d.get("title") or "", "text": d.get("text") or ""})
    return docs


from whoosh.analysis import Filter as _Filter  # noqa: E402  (module level: whoosh pickles analyzers)


class TruncateFilter(_Filter):
    """Keep the first ``n`` characters of every token (the truncation baseline)."""

    def __init__(self, n: int = 5) -> None:
        self.n = n

    def __eq__(self, other):
        return isinstance(other, TruncateFilter) and other.n == self.n

    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text[: self.n]
            yield t


def _truncating_analyzer(n: int):
    from whoosh.analysis import StandardAnalyzer

    # Whoosh pickles the analyzer by class name: take the class from the importable
    # module, not from __main__ when this file runs as ``python -m``.
    from searchkz.bench import eval as importable

    return StandardAnalyzer(stoplist=None) | importable.TruncateFilter(n)


def baseline_analyzer(kind: str):
    from whoosh.analysis import StandardAnalyzer

    if kind == "standard":
        return StandardAnalyzer()
    if kind == "trunc5":
        return _truncating_analyzer(5)
    raise ValueError(kind)


def build_baseline(collection, directory: Path, kind: str) -> None:
    """A plain Whoosh index (title, body) of the collection with a baseline analyzer."""
    from whoosh import index as windex
    from whoosh.fields import ID, TEXT, Schema

    if directory.exists() and windex.exists_in(str(directory)):
        return
    directory.mkdir(parents=True, exist_ok=True)
    an = baseline_analyzer(kind)
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=an), body=TEXT(analyzer=an))
    ix = windex.create_in(str(directory), schema)
    w = ix.writer()
    for d in _read_collection(collection):
        w.add_document(id=d["id"], title=d["title"], body=d["text"])
    w.commit()


def run_baseline(directory: Path, queries, limit: int = RUN_DEPTH) -> tuple[Run, float]:
    """Each query as a ranked OR of its words over title and body, BM25F (Whoosh defaults)."""
    from whoosh import index as windex
    from whoosh import scoring
    from whoosh.qparser import MultifieldParser, OrGroup

    started = time.perf_counter()
    ix = windex.open_dir(str(directory))
    run: Run = {}
    with ix.searcher(weighting=scoring.BM25F()) as s:
        parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
        for qid, text in queries:
            # plain words only: the baselines have no query syntax
            q = parser.parse("".join(ch if ch.isalnum() else " " for ch in text))
            run[qid] = [(r["id"], r.score) for r in s.search(q, limit=limit)]
    return rounded(run), time.perf_counter() - started


# -- the whole evaluation ----------------------------------------------------------


def ensure_index(collection, index_path: Path) -> None:
    from searchkz.api import Index
    from searchkz.errors import IndexVersionError

    ix = Index(index_path)
    try:
        if ix.exists():
            ix.doc_count()  # raises when built by another analyzer version
            ix.close()
            return
    except IndexVersionError:
        pass
    ix.reindex(collection, full=True)
    ix.close()


def run_all(collection, topics, qrels_path, workdir, kinds=("nokazakh", "latin", "lookalike"), baselines=True, log=None) -> list[Row]:
    from searchkz.bench.trec import read_topics
    from searchkz.bench.variants import rewrite

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    queries = read_topics(topics)
    qrels = read_qrels(qrels_path)
    index_path = workdir / "index"
    t0 = time.perf_counter()
    ensure_index(collection, index_path)
    if log:
        log(f"index ready ({time.perf_counter() - t0:.1f}s)")
    rows = []
    for kind in ("clean", *kinds):
        qs = queries if kind == "clean" else rewrite(queries, kind)
        run, secs = run_searchkz(index_path, qs)
        rows.append(Row(f"searchkz {kind}", evaluate(run, qrels), secs))
        if log:
            log(f"{rows[-1].name}: {rows[-1].scores.mrr10:.4f} ({secs:.2f}s)")
    if baselines:
        for kind in ("standard", "trunc5"):
            d = workdir / f"baseline-{kind}"
            build_baseline(collection, d, kind)
            run, secs = run_baseline(d, queries)
            rows.append(Row(f"bm25-{kind} clean", evaluate(run, qrels), secs))
    return rows


def format_table(rows: list[Row]) -> str:
    lines = [
        "| run | MRR@10 | nDCG@10 | R@100 | queries | batch s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r.scores
        lines.append(f"| {r.name} | {s.mrr10:.4f} | {s.ndcg10:.4f} | {s.recall100:.4f} | {s.queries} | {r.seconds:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m searchkz.bench.eval", description=__doc__.split("\n\n")[0])
    ap.add_argument("--collection", required=True, help="JSONL with id/title/text")
    ap.add_argument("--topics", required=True, help="qid<TAB>query")
    ap.add_argument("--qrels", required=True, help="TREC qrels")
    ap.add_argument("--workdir", default="eval-work", help="where the indexes go [eval-work]")
    ap.add_argument("--json", dest="json_out", default=None, help="also write the rows as JSON here")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--kinds", default="nokazakh,latin,lookalike", help="query variants to run")
    args = ap.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    rows = run_all(
        args.collection,
        args.topics,
        args.qrels,
        args.workdir,
        kinds=kinds,
        baselines=not args.no_baselines,
        log=lambda m: print(m, file=sys.stderr),
    )
    print(format_table(rows))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump([r.as_dict() for r in rows], fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
