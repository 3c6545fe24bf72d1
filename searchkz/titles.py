"""The title boost: the top documents whose title the query names ("Дулат Бабатайұлы қай жылдарды
өмір сүрген?" → the article "Дулат Бабатайұлы") get ``× (1 + title_cover · c^title_cover_power)``,
``c`` the share of their title's words that the query names.

Counted from the ``title`` field's postings (each segment's arrays): a title word is named when
its stem is one of the query's stems or forms, or begins with the first ``prefix_len`` letters
of one of the query's forms (the prefix net of :mod:`searchkz.rank`); ``c`` is their number over
the title's length (its content words and the parts of a hyphenated word: the length ranking
normalizes by, :meth:`~searchkz.analysis.KazakhAnalyzer.counted_length`), at most 1. The acronym
indexed for a full name the title spells out is a title term but not a word of its length: a query
that names the name's words and searches its acronym counts the name once more (capped at 1)."""

from __future__ import annotations

import numpy as np


def title_cover(ranker, docs: np.ndarray, terms, prefixes, boost: float) -> np.ndarray:
    """Per document of ``docs`` (sorted), the share of its title's words named by ``terms`` or
    beginning with one of ``prefixes`` (title postings weigh ``boost`` an occurrence).  Only the
    segments holding one of ``docs`` are read (an incremental update's small segment, read
    through Whoosh, seldom is)."""
    hits = np.zeros(len(docs))
    named = set(terms)
    for pre in prefixes:
        named.update(ranker.expand_prefix("title", pre))
    named = sorted(named)
    for seg in ranker.segments:
        lo, hi = np.searchsorted(docs, [seg.offset, seg.offset + seg.n])
        if lo == hi:
            continue
        mine = docs[lo:hi]
        for t in named:
            ids, ws = seg.postings("title", t)
            if not len(ids):
                continue
            at = np.minimum(np.searchsorted(mine, ids), len(mine) - 1)
            found = mine[at] == ids
            np.add.at(hits, lo + at[found], ws[found] / boost)
    lengths = ranker.lengths("title")[docs]
    return np.divide(hits, lengths, out=np.zeros(len(docs)), where=lengths > 0).clip(0.0, 1.0)


def query_cover(ranker, words, docs: np.ndarray, p) -> np.ndarray:
    """:func:`title_cover` of the query ``words`` (:class:`~searchkz.rank.QueryWord`) for ``docs``."""
    from searchkz.index import TITLE_BOOST

    terms: set = set()
    pref: set = set()
    for w in words:
        for st, ex, _rw in ranker.readings(w, p):
            terms |= st | ex
            pref.update(e[: p.prefix_len] for e in ex if len(e) >= p.prefix_len)
    return title_cover(ranker, docs, terms, pref, TITLE_BOOST)


def title_boost(ranker, words, top: np.ndarray, scores: np.ndarray, p) -> np.ndarray:
    """Boost the scores of the first ``title_depth`` of ``top`` (best first) in place; ``top``
    in its new order."""
    from searchkz.rank import best

    head = np.sort(top[: p.title_depth])
    cover = query_cover(ranker, words, head, p)
    if not cover.any():
        return top
    scores[head] *= 1 + p.title_cover * cover ** p.title_cover_power
    return best(top, scores[top], len(top))
