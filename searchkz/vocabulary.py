"""The index's vocabulary, as the ranker asks it: which terms exist, begin with a prefix, how many
documents have one, and how a word typed without Kazakh letters (or in Latin) is spelled in the index.

Each segment answers from its sorted term arrays (:mod:`searchkz.arrays`; a
binary search) or, without them, from Whoosh's term table; the index's answer
is the union over its segments.
"""

from __future__ import annotations

import numpy as np

from searchkz.postings import EMPTY

#: A letter typed without a Kazakh keyboard -> the letters it may stand for.
UNFOLD = {"а": "аә", "г": "гғ", "к": "кқ", "н": "нң", "о": "оө", "у": "уұү", "х": "хһ", "и": "иі"}
#: A letter transliterated from Latin -> the letters it may stand for (i is и/й, and і
#: in ASCII; e is е/э; h is х/һ; plus the ASCII fallbacks a→ә, g→ğ …).
RELATIN = {**UNFOLD, "и": "иій", "й": "йи", "е": "еэ"}
_CONSONANTS = frozenset("бвгғджзйклмнңпрстфхһцчшщ")
RESPELL_BUDGET = 4000  # prefixes a respelling walk may try


class Vocabulary:
    """Term look-ups over the segments (:class:`searchkz.postings.Segment`); cached per instance."""

    def __init__(self, segments: list) -> None:
        self.segments = segments
        self._prefix: dict[tuple, list[str]] = {}
        self._has_prefix: dict[tuple[str, str], bool] = {}

    def plist(self, fieldname: str, term: str) -> tuple:
        """``(docnums, weights)`` of a term's live postings in the whole index (numpy arrays)."""
        parts = [p for p in (seg.postings(fieldname, term) for seg in self.segments) if len(p[0])]
        if len(parts) < 2:
            return parts[0] if parts else EMPTY
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def expand_prefix(self, fieldname: str, prefix: str) -> list[str]:
        """The field's terms that begin with ``prefix``, in order (cached)."""
        key = (fieldname, prefix)
        hit = self._prefix.get(key)
        if hit is None:
            parts = [seg.prefixed(fieldname, prefix) for seg in self.segments]
            hit = parts[0] if len(parts) == 1 else sorted(set().union(*parts))
            self._prefix[key] = hit
        return hit

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        """Does some term of the field begin with ``prefix``?"""
        key = (fieldname, prefix)
        hit = self._has_prefix.get(key)
        if hit is None:
            hit = self._has_prefix[key] = any(seg.has_prefix(fieldname, prefix) for seg in self.segments)
        return hit

    def in_vocabulary(self, fieldname: str, term: str) -> bool:
        """Does the field's vocabulary have ``term``?  (Deleted documents may be all that have it:
        enough to highlight a word.)"""
        return any(seg.df(fieldname, term) for seg in self.segments)

    def has_term(self, fieldname: str, term: str) -> bool:
        """Does a live document have ``term``?"""
        for seg in self.segments:
            df = seg.df(fieldname, term)
            if df and (seg.live is None or df > seg.n - int(seg.live.sum())):
                return True
        return any(seg.live is not None and seg.df(fieldname, term) and len(seg.postings(fieldname, term)[0])
                   for seg in self.segments)

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """Live documents with ``term``."""
        if all(seg.live is None for seg in self.segments):
            return sum(seg.df(fieldname, term) for seg in self.segments)
        return len(self.plist(fieldname, term)[0])

    def respellings(self, word: str, limit: int = 64, fieldname: str = "exact", table: dict | None = None,
                    prefixes: bool = False) -> list[str]:
        """Words of the field's vocabulary that ``word`` (typed without Kazakh letters) may stand for
        (``prefixes``: the beginnings of its words, for a pattern ``ког*``).

        A depth-first walk that lets each foldable letter be itself or a Kazakh
        letter (к→к/қ, у→у/ұ/ү, и→и/і …) and prunes every prefix no indexed word
        starts with: ``когамдык`` → ``[қоғамдық]``.
        """
        table = table or UNFOLD
        key = ("~" + fieldname + str(len(table)) + "*" * prefixes, word)
        hit = self._prefix.get(key)
        if hit is not None:
            return hit
        out: list[str] = []
        budget = [RESPELL_BUDGET]
        insert = table is RELATIN  # Latin drops ь and ъ: try them after consonants

        def walk(prefix: str, i: int) -> None:
            if len(out) >= limit or budget[0] <= 0:
                return
            if i == len(word):
                if (prefixes or self.has_term(fieldname, prefix)) and prefix not in out:
                    out.append(prefix)  # (a prefix: the walk reached it through indexed ones)
                if insert and prefix and prefix[-1] in _CONSONANTS and self.has_term(fieldname, prefix + "ь"):
                    out.append(prefix + "ь")
                return
            for c in table.get(word[i], word[i]):
                p = prefix + c
                budget[0] -= 1
                if self.has_prefix(fieldname, p):
                    walk(p, i + 1)
                    if insert and c in _CONSONANTS:
                        for soft in "ьъ":
                            budget[0] -= 1
                            if self.has_prefix(fieldname, p + soft):
                                walk(p + soft, i + 1)

        walk("", 0)
        self._prefix[key] = out
        return out

    def readings(self, w, p) -> list[tuple[set, set, float]]:
        """``[(stems, exact forms, weight), …]`` of a :class:`~searchkz.rank.QueryWord`: the word
        as typed (weight 1) and, for a word typed without Kazakh letters, its spellings with them
        that the index has (weighted by how much more common they are than the typed form, at
        most ``respell_max``: exact matches of the typed form stay first)."""
        typed_stems = w.stems | w.exact
        out = [(typed_stems, set(w.exact), 1.0)]
        if not (w.unfold or w.latin) or not p.respell_weight:
            return out
        from searchkz.analysis import analyze_word

        typed_df = None  # (counted when a respelling needs it)
        found = False
        forms = [(f, UNFOLD) for f in sorted(w.unfold)] + [(f, RELATIN) for f in sorted(w.latin)]
        for form, table in forms:
            for alt in self.respellings(form, table=table):
                found = True
                if alt in w.exact:
                    continue
                if typed_df is None:
                    typed_df = sum(self.doc_frequency("exact", e) for e in w.exact)
                a = analyze_word(alt)
                df = self.doc_frequency("exact", alt)
                share = df / (df + typed_df) if df + typed_df else 0.0
                weight = min(p.respell_max, max(p.respell_weight, share))
                out.append(({a.stem, alt}, {alt}, weight))
        if not found:
            # the form as typed is nowhere in the index: respell its stem among the indexed stems
            typed_df = sum(self.doc_frequency("body", t) for t in typed_stems)
            for fst in sorted(w.folded):
                for alt in self.respellings(fst, fieldname="body"):
                    if alt in typed_stems:
                        continue
                    df = self.doc_frequency("body", alt)
                    share = df / (df + typed_df) if df + typed_df else 0.0
                    out.append(({alt}, set(), min(p.respell_max, max(p.respell_weight, share))))
        return out
