"""The title boost: the top documents whose title the query names ("Дулат Бабатайұлы қай жылдарды
өмір сүрген?" → the article "Дулат Бабатайұлы") get ``× (1 + title_cover · c^title_cover_power)``,
``c`` the share of their title's content words that the query names."""

from __future__ import annotations

from bisect import bisect_right

import numpy as np


class Titles:
    """The documents' titles, from each segment's arrays (stored fields for a segment without)."""

    MAX_CACHE = 50_000

    def __init__(self, segments: list) -> None:
        self._segments = segments
        self._starts = [seg.offset for seg in segments]
        self._words: dict[int, int] = {}

    def _get(self, docnum: int) -> str:
        seg = self._segments[bisect_right(self._starts, docnum) - 1]
        return seg.title(docnum - seg.offset)

    def text(self, docnum: int) -> str:
        return self._get(docnum)

    def words(self, docnum: int) -> int:
        """The title's number of content (non-stop) words (cached)."""
        n = self._words.get(docnum)
        if n is None:
            from searchkz.analysis import count_content_words

            if len(self._words) >= self.MAX_CACHE:
                self._words.clear()
            n = self._words[docnum] = count_content_words(self._get(docnum))
        return n

    def cover(self, docs, stems: frozenset, pref: frozenset, plen: int) -> dict[int, float]:
        """``{docnum: share of its title's content words named}``: a word is named when its stem or
        form is in ``stems`` or its first ``plen`` letters are in ``pref``.  The titles are joined
        and searched at once (:func:`~searchkz.analysis.find_words`: only words that begin like a
        wanted term are analyzed)."""
        from searchkz.analysis import find_words, term_prefixes

        def named(a) -> bool:
            nm = a.normalized
            return not a.stop and (a.stem in stems or nm in stems or (len(nm) >= plen and nm[:plen] in pref))

        starts, parts, at = [], [], 0
        for d in docs:
            title = self._get(d)
            starts.append(at)
            parts.append(title)
            at += len(title) + 2
        hits = [0] * len(docs)
        for start, _end, _a in find_words("\n\n".join(parts), named, term_prefixes(stems | pref)):
            hits[bisect_right(starts, start) - 1] += 1
        return {d: h / self.words(d) for d, h in zip(docs, hits) if h}


def title_boost(ranker, words, top: np.ndarray, scores: np.ndarray, p) -> np.ndarray:
    """Boost the scores of the first ``title_depth`` of ``top`` (best first) in place; ``top``
    in its new order."""
    from searchkz.rank import best

    stems: set = set()
    pref: set = set()
    for w in words:
        for st, ex, _rw in ranker.readings(w, p):
            stems |= st | ex
            pref.update(e[: p.prefix_len] for e in ex if len(e) >= p.prefix_len)
    if ranker._titles is None:
        ranker._titles = Titles(ranker.segments)
    head = top[: p.title_depth].tolist()
    cover = ranker._titles.cover(head, frozenset(stems), frozenset(pref), p.prefix_len)
    if not cover:
        return top
    for d, c in cover.items():
        scores[d] *= 1 + p.title_cover * c ** p.title_cover_power
    return best(top, scores[top], len(top))
