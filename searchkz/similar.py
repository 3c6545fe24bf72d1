"""Similar articles ("more like this"): the articles closest to one article by its distinctive stems.

The article's text is analyzed as at indexing; its stems are weighted by TF-IDF
(``tf · idf``; stems in fewer than :data:`MIN_DF` other articles or in more than
:data:`MAX_DF_SHARE` of all are skipped) and the top :data:`KEY_TERMS` form a
weighted query (each term's weight over the largest, as Lucene's MoreLikeThis boosts
them), scored with BM25 over the ``body`` and ``title`` fields (a title match counts
:data:`TITLE_WEIGHT` times, as in the ranking) with numpy: one posting list a key term
and field, summed into an array over all documents.  On KazQAD the title field moved
"a sibling passage among the 5 most similar" from 84% to 91% (bench.explore similar).  The article itself and its copies
are excluded by the caller.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

KEY_TERMS = 25  # 20: 90.2%, 25 and 30: 90.8% on KazQAD (bench.explore similar)
MIN_DF = 1  # other articles a key term must appear in
MAX_DF_SHARE = 0.2  # (an index of fewer than SMALL articles: no upper bound)
SMALL = 100
K1 = 1.2
B = 0.75
B_TITLE = 0.8
TITLE_WEIGHT = 2.0
MAX_CHARS = 20_000  # of a long article, its beginning


def key_terms(searcher, text: str, title: str = "") -> list[tuple[str, float]]:
    """``[(stem, weight)]``: the article's distinctive stems, best first (weights in (0, 1])."""
    from searchkz.analysis import word_spans

    counts: Counter = Counter()
    for _s, _e, w in word_spans((title + "\n" + text)[:MAX_CHARS]):
        if w.stem and not w.stop:
            counts[w.stem] += 1
    n = max(searcher.doc_count(), 1)  # live articles: an update's deleted ones stay in their segment
    scored = []
    for stem, tf in counts.items():
        df = _doc_frequency(searcher, stem)
        if df - 1 < MIN_DF or (n >= SMALL and df > MAX_DF_SHARE * n):
            continue
        scored.append((tf * math.log(n / df), stem))
    scored.sort(reverse=True)
    top = scored[:KEY_TERMS]
    if not top:
        return []
    best = top[0][0]
    return [(stem, s / best) for s, stem in top]


DF_CACHE = 500_000  # stems whose document frequency a searcher remembers


def _doc_frequency(searcher, stem: str) -> int:
    """Documents with ``stem`` in ``body``, remembered per searcher: an article has ~200
    distinct stems, each looked up in every segment's term table (~0.15 ms) the first time."""
    cache = searcher.__dict__.setdefault("_searchkz_df", {})
    df = cache.get(stem)
    if df is None:
        from searchkz.rank import ranker_for

        if len(cache) >= DF_CACHE:
            cache.clear()
        df = cache[stem] = ranker_for(searcher).doc_frequency("body", stem)
    return df


def _postings(searcher, fieldname: str, stem: str) -> tuple[np.ndarray, np.ndarray]:
    from searchkz.rank import ranker_for

    return ranker_for(searcher).plist(fieldname, stem)


def length_norms(searcher, fieldname: str, b: float) -> np.ndarray:
    """``k1 · (1 - b + b · length / average length)`` of each document's field, by docnum
    (cached with the searcher).  The average is over the live documents, as a full reindex of
    the same corpus has them (an update's deleted documents keep their lengths until a merge)."""
    cache = searcher.__dict__.setdefault("_searchkz_norms", {})
    norm = cache.get((fieldname, b))
    if norm is None:
        from searchkz.rank import ranker_for

        ranker = ranker_for(searcher)
        lengths = ranker.lengths(fieldname)  # (the segments' arrays: not read document by document)
        live = lengths[ranker.live()] if searcher.reader().has_deletions() else lengths
        avg = max(float(live.mean()), 1.0) if len(live) else 1.0
        norm = cache[(fieldname, b)] = K1 * (1 - b + b * lengths / avg)
    return norm


def similar_scores(searcher, terms: list[tuple[str, float]]) -> np.ndarray:
    """Every document's BM25F-like score for the weighted key terms (an array by docnum)."""
    body = length_norms(searcher, "body", B)
    title = length_norms(searcher, "title", B_TITLE)
    acc = np.zeros(len(body), dtype=np.float64)
    n = searcher.doc_count()  # (the live documents: the posting lists hold only theirs)
    for stem, weight in terms:
        ids, tf = _postings(searcher, "body", stem)
        if not len(ids):
            continue
        idf = weight * math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
        acc[ids] += idf * tf * (K1 + 1) / (tf + body[ids])
        ids, tf = _postings(searcher, "title", stem)
        if len(ids):
            acc[ids] += TITLE_WEIGHT * idf * tf * (K1 + 1) / (tf + title[ids])
    return acc


def most_similar(scores: np.ndarray, exclude: list[int], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best ``(docnum, score)`` with a positive score, not in ``exclude``."""
    scores = scores.copy()
    if exclude:
        scores[exclude] = 0.0
    k = min(limit, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(d), float(scores[d])) for d in top if scores[d] > 0]


def similar_to(searcher, doc_id: str, limit: int, copies=None) -> list[tuple[int, float]] | None:
    """``[(docnum, score)]`` of the ``limit`` articles most similar to ``doc_id``, itself and
    its copies (:class:`~searchkz.explore.CopyGroups`) excluded; None for an unknown id."""
    from searchkz.explore import id_docnums
    from searchkz.index import unpack_text

    where = id_docnums(searcher, [doc_id])
    if doc_id not in where:
        return None
    docnum = where[doc_id]
    f = searcher.stored_fields(docnum)
    terms = key_terms(searcher, unpack_text(f.get("text")), f.get("title", ""))
    exclude = [docnum]
    if copies is not None and copies.of(docnum) >= 0:
        exclude += list(id_docnums(searcher, copies.copies(docnum, doc_id)[0]).values())
    return most_similar(similar_scores(searcher, terms), exclude, limit)
