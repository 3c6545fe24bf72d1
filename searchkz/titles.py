"""The title boost: the top documents whose title the query names ("Дулат Бабатайұлы қай жылдарды
өмір сүрген?" → the article "Дулат Бабатайұлы") get ``× (1 + title_cover · c^title_cover_power)``,
``c`` the share of their title's content words that the query names."""

from __future__ import annotations

from bisect import bisect_right

import numpy as np


class Titles:
    """Titles read from the index's title column (stored fields for an index without one), and
    their number of content words (cached)."""

    def __init__(self, searcher) -> None:
        reader = searcher.reader()
        column = None
        try:
            if reader.has_column("title"):
                column = reader.column_reader("title", translate=False)
        except Exception:
            column = None
        if column is not None:
            self._get = lambda d: (column[d] or b"").decode("utf-8")
        else:
            stored = searcher.stored_fields
            self._get = lambda d: stored(d).get("title") or ""
        self._cache: dict[int, list] = {}

    def text(self, docnum: int) -> str:
        hit = self._cache.get(docnum)
        if hit is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            hit = self._cache[docnum] = [self._get(docnum), None]
        return hit[0]

    def words(self, docnum: int) -> int:
        """The title's number of content (non-stop) words."""
        title = self.text(docnum)
        hit = self._cache[docnum]
        if hit[1] is None:
            from searchkz.analysis import count_content_words

            hit[1] = count_content_words(title)
        return hit[1]

    def cover(self, docs, stems: frozenset, pref: frozenset, plen: int) -> dict[int, float]:
        """``{docnum: share of its title's content words named}``: a word is named when its stem or
        form is in ``stems`` or its first ``plen`` letters are in ``pref``."""
        from searchkz.analysis import _candidates, find_words, term_prefixes

        def named(a) -> bool:
            nm = a.normalized
            return not a.stop and (a.stem in stems or nm in stems or (len(nm) >= plen and nm[:plen] in pref))

        heads = term_prefixes(stems | pref)  # only words beginning like a wanted term are analyzed
        titles = [self.text(d) for d in docs]
        # one scan of all the titles for candidate words: only titles with one are analyzed
        starts, at = [], 0
        for t in titles:
            starts.append(at)
            at += len(t) + 1
        some = {bisect_right(starts, s) - 1 for s, _e, _raw in _candidates("\n".join(titles), heads)}
        out = {}
        for i in sorted(some):
            hits = len(find_words(titles[i], named, heads))
            if hits:  # (a named word is a content word: the title has some)
                out[docs[i]] = hits / self.words(docs[i])
        return out


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
        ranker._titles = Titles(ranker.searcher)
    head = top[: p.title_depth].tolist()
    cover = ranker._titles.cover(head, frozenset(stems), frozenset(pref), p.prefix_len)
    if not cover:
        return top
    for d, c in cover.items():
        scores[d] *= 1 + p.title_cover * c ** p.title_cover_power
    return best(top, scores[top], len(top))
