"""TREC topics and runs: read ``qid<TAB>query`` files, write ``qid Q0 docid rank score tag``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

RUN_TAG = "searchkz"


def read_topics(path: str | Path) -> list[tuple[str, str]]:
    """``[(qid, query), …]`` from a TSV file (blank lines and ``#`` comments skipped)."""
    out = []
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            qid, _, query = line.partition("\t")
            if query.strip():
                out.append((qid.strip(), query.strip()))
    return out


def run_topics(ix, queries, limit: int = 100) -> dict[str, list[tuple[str, float]]]:
    """Search every topic with one searcher: ``{qid: [(docid, score), …]}`` (bad queries give no hits;
    copies not collapsed)."""
    from searchkz.errors import QueryError

    run = {}
    for qid, query in queries:
        try:
            hits = ix.search(query, limit=limit, snippets=False, collapse=False)  # every passage is judged
        except QueryError:
            hits = []
        run[qid] = [(h.id, h.score) for h in hits]
    return run


def write_run(ix, queries, out: TextIO, limit: int = 100, fmt: str = "trec", tag: str = RUN_TAG) -> None:
    run = run_topics(ix, queries, limit)
    for qid, _q in queries:
        for rank, (docid, score) in enumerate(run.get(qid, []), 1):
            if fmt == "trec":
                out.write(f"{qid} Q0 {docid} {rank} {score:.4f} {tag}\n")
            else:
                out.write(json.dumps({"qid": qid, "id": docid, "rank": rank, "score": round(score, 4)}, ensure_ascii=False) + "\n")
