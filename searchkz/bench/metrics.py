"""Retrieval metrics with trec_eval's definitions (MRR@10, nDCG@10, Recall@100).

Conventions (the same as ``trec_eval -m recip_rank -m ndcg_cut.10 -m recall.100``
with a run cut at 10 for ``recip_rank``):

* **Ranking of a run.** trec_eval ignores the rank column: it sorts a topic's
  documents by score, descending, and breaks ties by docid, *descending*
  (plain string comparison).  :func:`sort_run` does the same, so the numbers
  here equal trec_eval's on the same run file.  A docid listed twice for one
  topic keeps its first (best) occurrence.
* **Relevant** means a qrels grade > 0.  Topics with no relevant document in
  the qrels are left out of every mean (as trec_eval does).  A topic with
  relevant documents that the run has no line for counts with 0 on every
  measure (trec_eval needs ``-c`` for that; without it such a topic would be
  dropped): a query that found nothing is a failure, not a missing measurement.
* **Scores** are compared as given.  :mod:`searchkz.bench.eval` rounds them to
  the 4 decimals that a TREC run file carries, so its numbers are those of
  trec_eval on the printed run.
* **MRR@10** (``recip_rank`` on the top 10): 1/rank of the first relevant
  document among the first 10, else 0.
* **nDCG@10** (``ndcg_cut_10``): DCG = sum over the first 10 ranks of
  gain / log2(rank + 1) with gain = the qrels grade (0 for unjudged); the ideal
  DCG sorts *all* the topic's judged grades (from the qrels, not from the run)
  descending and cuts at 10.
* **Recall@100** (``recall_100``): relevant documents among the first 100 /
  relevant documents in the qrels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

Qrels = dict[str, dict[str, int]]
Run = dict[str, list[tuple[str, float]]]


def read_qrels(path: str | Path) -> Qrels:
    """``{qid: {docid: grade}}`` from a TREC qrels file (``qid iter docid grade``)."""
    qrels: Qrels = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if len(parts) != 4:
                raise ValueError(f"{path}:{n}: expected 'qid iter docid grade', got {line.strip()!r}")
            qid, _it, docid, grade = parts
            qrels.setdefault(qid, {})[docid] = int(grade)
    return qrels


def read_run(path: str | Path) -> Run:
    """``{qid: [(docid, score), …]}`` from a TREC run file (``qid Q0 docid rank score tag``)."""
    run: Run = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 5:
                raise ValueError(f"{path}:{n}: expected 'qid Q0 docid rank score tag', got {line.strip()!r}")
            run.setdefault(parts[0], []).append((parts[2], float(parts[4])))
    return run


def sort_run(docs: Iterable[tuple[str, float]]) -> list[str]:
    """trec_eval's order: score descending, then docid descending; duplicates dropped."""
    ranked = sorted(docs, key=lambda d: (d[1], d[0]), reverse=True)
    seen: set[str] = set()
    out = []
    for docid, _score in ranked:
        if docid not in seen:
            seen.add(docid)
            out.append(docid)
    return out


def reciprocal_rank(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    for i, docid in enumerate(ranked[:k], 1):
        if judged.get(docid, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    dcg = sum(max(judged.get(d, 0), 0) / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg if idcg > 0 else 0.0


def recall(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    rel = {d for d, g in judged.items() if g > 0}
    if not rel:
        return 0.0
    return len(rel.intersection(ranked[:k])) / len(rel)


@dataclass
class Scores:
    """Mean metrics of one run plus the per-query values."""

    mrr10: float
    ndcg10: float
    recall100: float
    queries: int
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"mrr@10": self.mrr10, "ndcg@10": self.ndcg10, "recall@100": self.recall100, "queries": self.queries}


def evaluate(run: Mapping[str, Iterable[tuple[str, float]]], qrels: Qrels) -> Scores:
    """Score ``run`` against ``qrels`` (see the module docstring for the conventions).

    Only topics with at least one relevant document count; a topic the run
    has no results for counts with 0 on every measure.
    """
    per: dict[str, dict[str, float]] = {}
    for qid, judged in qrels.items():
        if not any(g > 0 for g in judged.values()):
            continue
        ranked = sort_run(run.get(qid, ()))
        per[qid] = {
            "mrr@10": reciprocal_rank(ranked, judged, 10),
            "ndcg@10": ndcg(ranked, judged, 10),
            "recall@100": recall(ranked, judged, 100),
        }
    n = len(per)

    def mean(key: str) -> float:
        return sum(v[key] for v in per.values()) / n if n else 0.0

    return Scores(mean("mrr@10"), mean("ndcg@10"), mean("recall@100"), n, per)


def compare(new: Scores, base: Scores, key: str = "mrr@10", eps: float = 1e-9) -> tuple[list, list, int]:
    """Per-query wins and losses of ``new`` against ``base`` on ``key``.

    Returns ``(wins, losses, ties)`` where wins/losses are ``[(qid, base, new), …]``
    sorted by the size of the change, largest first.
    """
    wins, losses, ties = [], [], 0
    for qid, v in new.per_query.items():
        b = base.per_query.get(qid, {}).get(key, 0.0)
        x = v[key]
        if x > b + eps:
            wins.append((qid, b, x))
        elif x < b - eps:
            losses.append((qid, b, x))
        else:
            ties += 1
    wins.sort(key=lambda t: t[2] - t[1], reverse=True)
    losses.sort(key=lambda t: t[1] - t[2], reverse=True)
    return wins, losses, ties


def format_scores(s: Scores) -> str:
    return f"MRR@10 {s.mrr10:.4f}  nDCG@10 {s.ndcg10:.4f}  Recall@100 {s.recall100:.4f}  queries {s.queries}"
