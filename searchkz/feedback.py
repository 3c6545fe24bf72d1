"""Pseudo-relevance feedback for the deep end of long lists (an evaluation run, a deep page: never
the usual 10 hits).  The first ``fb_keep`` documents keep their order; the other matching documents
are reordered by the query expanded with RM-style stems of the top ``fb_docs`` documents (only stems in at most
``fb_max_df`` of the documents and ``fb_max_postings``: bounded cost at any index size).
Feedback moved MRR down when it touched the top.  It used to add passages that share no word with
the question too (KazQAD dev Recall@100 0.9775); they are not matches, so a total that counts
matches cannot include them (issue #16: 0.9757)."""

from __future__ import annotations

import math

import numpy as np


def feedback_words(ranker, words, ranked, p) -> list:
    """Expansion words (:class:`~searchkz.rank.QueryWord`) from the top ``fb_docs`` documents: body
    stems weighted by their share of each document (documents weighted by score), times IDF."""
    from searchkz.analysis import word_spans
    from searchkz.index import unpack_text
    from searchkz.rank import QueryWord

    query_stems: set = set()
    for w in words:
        for st, _ex, _w in ranker.readings(w, p):
            query_stems |= st
    top = ranked[: p.fb_docs]
    best = top[0][1] or 1.0
    acc: dict[str, float] = {}
    for d, sc in top:
        f = ranker.reader.stored_fields(d)
        text = (f.get("title") or "") + "\n" + unpack_text(f.get("text", b""))[: p.fb_chars]
        stems = [a.stem for _s, _e, a in word_spans(text) if not a.stop and len(a.stem) > 2 and not a.stem.isdigit()]
        if not stems:
            continue
        wd = math.exp(p.fb_temp * (sc / best - 1)) / len(stems)
        for t in stems:
            acc[t] = acc.get(t, 0.0) + wd
    n = ranker.n_docs
    max_df = min(p.fb_max_df * n, p.fb_max_postings)
    cands = []
    for t, v in acc.items():
        if t in query_stems:
            continue
        df = ranker.doc_frequency("body", t)
        if df < 2 or df > max_df:
            continue
        cands.append((v * math.log(1 + (n - df + 0.5) / (df + 0.5)), t))
    cands.sort(key=lambda x: (-x[0], x[1]))
    cands = cands[: p.fb_terms]
    if not cands:
        return []
    top_w = cands[0][0]
    return [QueryWord(t, stems={t}, weight=p.fb_weight * v / top_w) for v, t in cands]


def feedback_tail(ranker, words, ranked, scores: np.ndarray, allowed, p, limit) -> list:
    """``ranked[:fb_keep]``, then the other documents by original + expansion score, below the head."""
    from searchkz.rank import best

    expansion = feedback_words(ranker, words, ranked, p)
    if not expansion:
        return ranked
    # only documents with a query word (the total counts them): the expansion reorders, never adds
    tail = np.where(scores > 0, scores + ranker.scores(expansion, allowed, p), 0.0)
    head = ranked[: p.fb_keep]
    tail[[d for d, _s in head]] = 0.0
    docs = np.flatnonzero(tail != 0)
    order = best(docs, tail[docs], len(docs) if limit is None else max(0, limit - len(head)))
    if not len(order):
        return head
    floor = head[-1][1] * 0.99
    top_t = float(tail[order[0]]) or 1.0
    return head + [(d, floor * s / top_t) for d, s in zip(order.tolist(), tail[order].tolist())]
