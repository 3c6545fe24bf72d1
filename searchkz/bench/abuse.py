"""Pathological queries: each must answer or refuse within the time budget, with an exact total
or a clear message.

    python -m searchkz.bench.abuse --index DIR
    python -m searchkz.bench.abuse --docs 10000 --sentences shared/data/kaznerd/sentences.jsonl --workdir W

A fixed list of queries (leading and inner wildcards, ``?`` on one letter, ``~2`` on short
words, open term and date ranges, a 200-word OR, deep nesting, stop-word phrases with huge
slop, 2,000-character queries) runs through ``Index.search`` on a freshly opened index (as
a one-shot search would) and again warm; an answer's total is checked against Whoosh's own
set of documents for the query as run.  The baseline, measured in the same run, is the
query as Whoosh runs it unbounded (``searcher.search`` and its ``estimated_length()``, the
total searchkz printed before), stopped at ``--baseline-cap`` seconds.  Exit status 0 only if
every query passed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from searchkz.bounds import DEFAULT_TIMEOUT

SIMPLE = [
    "а*", "*а*", "*а", "?а", "а?", "*ың", "exact:*лық", "қ?з*", "*", "title:*", "exact:*",
    "а~2", "ол~2", "ел~2", "бұл~2", "қазақ~9", "а*~2",
    "[а TO я]", "body:[а TO я]", "title:[а TO я]", "exact:[а TO]", "id:[0 TO z]",
    "б* AND к*", "а* OR е* OR о*", "(а* AND е*) NOT о*", "NOT а*", "қазақ AND NOT қазақ",
    '"а б в г"~1000', '"және мен бұл да"~1000', '"және мен"~100000', '"а* б*"',
    "date:[2019 TO]", "date:[TO 2020]", "date:[1900 TO 2100]", "date:[1900 TO 2100] AND а*",
    "және мен бұл да ма",
]


def query_list(reader) -> list[tuple[str, str]]:
    """``(name, query)``: the fixed queries plus those made from the index's most frequent words
    (a 200-word OR, deep nesting, 2,000-character queries)."""
    pairs = [(i.doc_frequency(), t.decode()) for t, i in reader.iter_field("exact")]
    words = [t for _n, t in sorted(pairs, reverse=True) if t.isalpha()][:400]
    out = [(q, q) for q in SIMPLE]
    out.append(("200-word OR", " OR ".join(words[:200])[:2000]))
    out.append(("200-word OR of prefixes", " OR ".join(w[:2] + "*" for w in words[:200])[:2000]))
    out.append(("nesting 60 deep", "(" * 60 + "қазақ" + ")" * 60))
    nested = "қазақ"
    for i, w in enumerate(words[:40]):
        nested = f"({nested} {'AND' if i % 2 else 'OR'} {w})"
    out.append(("AND/OR nesting 40 deep", nested))
    free = " ".join(words)
    out.append(("2,000-char free text", free[:2000].rsplit(" ", 1)[0]))
    out.append(("2,000-char OR", " OR ".join(words)[:2000].rsplit(" ", 1)[0]))
    out.append(("2,000-char wildcards", " ".join(w[:3] + "*" for w in words)[:2000].rsplit(" ", 1)[0]))
    out.append(("2,001 chars", "қазақ " * 333 + "ел"))
    return out


def _verify(ix, query: str, total: int) -> int | None:
    """Whoosh's own count of the documents of ``query`` as searchkz runs it (None: free text)."""
    from searchkz.api import _respell
    from searchkz.bounds import bound_query
    from searchkz.search import build_query

    plan = build_query(query)
    if plan.qwords:
        return None
    searcher = ix._open()
    _respell(searcher, plan)
    q, _n = bound_query(plan.query, searcher.reader(), time.perf_counter() + 3600)
    return len(set(searcher.docs_for_query(q)))


def _baseline(index_dir: Path, query: str, cap: float) -> tuple[float, object]:
    """Seconds and claimed total of the query run unbounded by Whoosh (the previous code path)."""
    from whoosh.collectors import TimeLimit, TimeLimitCollector

    from searchkz.api import Index, _respell
    from searchkz.search import build_query

    ix = Index(index_dir)
    started = time.perf_counter()
    try:
        plan = build_query(query)
        if plan.qwords:
            return float("nan"), "free text"
        searcher = ix._open()
        _respell(searcher, plan)
        c = TimeLimitCollector(searcher.collector(limit=10), cap)
        searcher.search_with_collector(plan.query, c)
        res = c.results()
        return time.perf_counter() - started, res.estimated_length()
    except TimeLimit:
        return time.perf_counter() - started, f"stopped at {cap:g} s"
    except Exception as exc:
        return time.perf_counter() - started, f"error: {type(exc).__name__}"
    finally:
        ix.close()


def run_one(index_dir: Path, name: str, query: str, timeout: float, cap: float) -> dict:
    from searchkz.api import Index
    from searchkz.errors import QueryError

    row = {"name": name, "chars": len(query)}
    for when in ("cold", "warm"):
        if when == "cold":
            ix = Index(index_dir)
        started = time.perf_counter()
        try:
            res = ix.search(query, limit=10, timeout=timeout)
            row[when] = time.perf_counter() - started
            row.update(outcome="partial" if res.partial else "narrowed" if res.notices else "answered",
                       total=res.total, shown=len(res), message=(res.notices or [""])[-1])
        except QueryError as exc:
            row[when] = time.perf_counter() - started
            row.update(outcome="refused", total=None, shown=0, message=str(exc))
    row["docs"] = ix.doc_count()
    if row["outcome"] in ("answered", "narrowed"):
        expected = _verify(ix, query, row["total"])
        row["verified"] = expected
        row["total_ok"] = (expected is None or expected == row["total"]) and row["total"] <= row["docs"]
        row["total_ok"] = row["total_ok"] and row["shown"] == min(10, row["total"])
    else:
        row["total_ok"] = bool(row["message"])
    ix.close()
    row["baseline_s"], row["baseline_total"] = _baseline(index_dir, query, cap)
    row["ok"] = row["total_ok"] and row["cold"] <= timeout + 0.05  # 50 ms: snippets, opening
    return row


def _build(docs: int, sentences: str | None, workdir: Path, seed: int) -> Path:
    from searchkz.api import Index
    from searchkz.bench import speed

    sents, _src = speed.load_sentences(sentences)
    info = speed.build_corpus(workdir / f"corpus-{docs}", docs, sents, seed=seed)
    index_dir = workdir / f"index-{docs}"
    if not index_dir.exists():
        Index(index_dir).reindex(info.path, full=True, procs=2)
    return index_dir


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, help="an existing index to query")
    ap.add_argument("--docs", type=int, default=10_000, help="else: build a generated index of N articles [10000]")
    ap.add_argument("--sentences", help="sentences for the generated articles (see searchkz.bench.speed)")
    ap.add_argument("--workdir", type=Path, default=Path("abuse-work"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="the search time budget [the default]")
    ap.add_argument("--baseline-cap", type=float, default=10.0, help="stop an unbounded baseline query after S s [10]")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    index_dir = args.index or _build(args.docs, args.sentences, args.workdir, args.seed)
    from searchkz.api import Index

    with Index(index_dir) as ix:
        queries = query_list(ix._open().reader())
        n_docs = ix.doc_count()
    rows = []
    print(f"{n_docs:,} documents in {index_dir}; time budget {args.timeout:g} s", file=sys.stderr)
    print("| query | outcome | cold s | warm s | total (checked) | baseline s | baseline total | ok |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name, q in queries:
        r = run_one(index_dir, name, q, args.timeout, args.baseline_cap)
        rows.append(r)
        shown = name if len(name) <= 40 else name[:37] + "…"
        checked = "" if r.get("verified") is None else f" ({r['verified']:,})"
        total = "—" if r["total"] is None else f"{r['total']:,}{checked}"
        base = r["baseline_s"]
        print(f"| `{shown}` | {r['outcome']} | {r['cold']:.3f} | {r['warm']:.3f} | {total} | "
              f"{'—' if base != base else f'{base:.3f}'} | {r['baseline_total']} | {'yes' if r['ok'] else 'NO'} |",
              flush=True)
    passed = sum(r["ok"] for r in rows)
    cold = sorted(r["cold"] for r in rows)
    print(f"\n{passed}/{len(rows)} passed; cold max {cold[-1]:.3f} s, median {cold[len(cold) // 2]:.3f} s; "
          f"refused {sum(r['outcome'] == 'refused' for r in rows)}, partial {sum(r['outcome'] == 'partial' for r in rows)}, "
          f"narrowed {sum(r['outcome'] == 'narrowed' for r in rows)}")
    for r in rows:
        if r["message"]:
            print(f"- `{r['name'][:40]}`: {r['message']}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"index": str(index_dir), "documents": n_docs, "timeout": args.timeout,
                                             "rows": rows}, ensure_ascii=False, indent=1))
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
