"""Ranking of free-text queries: BM25F over the word's evidence, computed from postings.

A free-text query is a list of content words (:class:`QueryWord`); each word has
several kinds of evidence in a document:

* its stem in ``title`` and in ``body`` (inflected forms meet);
* its normalized form in ``exact`` (the same form as typed: a bonus on top);
* its folded stem in ``folded`` (only for a word typed without Kazakh letters:
  ``когам`` finds ``қоғам``), counted only where it adds to the stem matches
  and weighted below them;
* words of the ``exact`` vocabulary that share its first letters (a safety net
  for stems the stemmer did not reduce the same way), weighted lowest.

Per word and document the evidence is summed into one pseudo term frequency
(each part normalized by its field's length, as in BM25F), saturated once with
``k1``, and multiplied by the word's IDF (over the documents any of its main
evidence matches).  A document's score is the sum over words times a
coordination factor ``(matched IDF / total IDF) ** COORD_POWER``: documents
matching more (and rarer) query words rank first, and documents matching only a
few still rank (a ranked OR).

Whoosh's matcher tree computes the same kind of sum an order of magnitude
slower in pure Python; reading each posting list once into a dict (cached per
searcher) keeps a 274-question batch to a few seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class RankParams:
    k1: float = 1.2
    b_body: float = 0.75
    b_title: float = 0.5
    title_weight: float = 2.0
    exact_weight: float = 0.35
    folded_weight: float = 0.6
    prefix_weight: float = 0.3
    prefix_len: int = 5
    coord_power: float = 0.0
    surface_as_stem: bool = True
    idf_power: float = 1.0
    trunc_fusion: float = 0.0
    trunc_len: int = 5
    title_cover: float = 0.0
    title_cover_power: float = 1.0
    title_depth: int = 100
    prox_weight: float = 0.0
    prox_window: int = 3
    prox_depth: int = 50
    respell_weight: float = 0.6
    respell_max: float = 0.95


PARAMS = RankParams()


#: A letter typed without a Kazakh keyboard -> the letters it may stand for.
UNFOLD = {"а": "аә", "г": "гғ", "к": "кқ", "н": "нң", "о": "оө", "у": "уұү", "х": "хһ", "и": "иі"}
#: A letter transliterated from Latin -> the letters it may stand for (i is и/й, and і
#: in ASCII; e is е/э; h is х/һ; plus the ASCII fallbacks a→ә, g→ğ …).
RELATIN = {**UNFOLD, "и": "иій", "й": "йи", "е": "еэ"}
_CONSONANTS = frozenset("бвгғджзйклмнңпрстфхһцчшщ")


@dataclass
class QueryWord:
    """The index terms one query word is searched by."""

    raw: str
    stems: set = field(default_factory=set)  # body/title terms
    exact: set = field(default_factory=set)  # exact-field terms
    folded: set = field(default_factory=set)  # folded-field terms (typed without Kazakh letters)
    prefixes: set = field(default_factory=set)  # exact-field prefixes (safety net)
    weight: float = 1.0
    unfold: set = field(default_factory=set)  # typed forms without Kazakh letters: look up how they are spelled with them
    latin: set = field(default_factory=set)  # forms transliterated from Latin: look up their ambiguous letters


class Ranker:
    """Scores free-text queries against one searcher's reader (posting lists cached)."""

    MAX_CACHE = 200_000  # postings kept (sum of list lengths)

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.n_docs = max(1, self.reader.doc_count())
        self._avg = {}
        for f in ("title", "body", "exact"):
            try:
                total = self.reader.field_length(f)
            except Exception:
                total = 0
            self._avg[f] = max(total / self.n_docs, 1e-9)
        self._post: dict[tuple[str, str], dict[int, float]] = {}
        self._cached = 0
        self._len: dict[str, dict[int, int]] = {"title": {}, "body": {}}
        self._prefix: dict[tuple[str, str], list[str]] = {}
        self._has_prefix: dict[tuple[str, str], bool] = {}
        self._titles: dict[int, list] = {}

    # -- index access ------------------------------------------------------
    def postings(self, fieldname: str, term: str) -> dict[int, float]:
        key = (fieldname, term)
        hit = self._post.get(key)
        if hit is not None:
            return hit
        out: dict[int, float] = {}
        try:
            m = self.reader.postings(fieldname, term)
        except Exception:  # term not in the field (whoosh raises TermNotFound)
            m = None
        if m is not None:
            while m.is_active():
                out[m.id()] = m.weight()
                m.next()
        if self._cached > self.MAX_CACHE:
            self._post.clear()
            self._cached = 0
        self._post[key] = out
        self._cached += len(out) + 1
        return out

    def expand_prefix(self, fieldname: str, prefix: str) -> list[str]:
        key = (fieldname, prefix)
        hit = self._prefix.get(key)
        if hit is None:
            hit = [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.expand_prefix(fieldname, prefix)]
            self._prefix[key] = hit
        return hit

    def has_term(self, fieldname: str, term: str) -> bool:
        key = (fieldname, term)
        hit = self._post.get(key)
        if hit is not None:
            return bool(hit)
        try:
            return (fieldname, term.encode("utf-8")) in self.reader
        except Exception:
            return False

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        key = (fieldname, prefix)
        hit = self._has_prefix.get(key)
        if hit is None:
            bp = prefix.encode("utf-8")
            hit = False
            try:
                for fn, t in self.reader.terms_from(fieldname, bp):
                    hit = fn == fieldname and t.startswith(bp)
                    break
            except Exception:
                hit = False
            self._has_prefix[key] = hit
        return hit

    def respellings(self, word: str, limit: int = 64, fieldname: str = "exact", table: dict | None = None) -> list[str]:
        """Words of the ``exact`` vocabulary that ``word`` (typed without Kazakh letters) may stand for.

        A depth-first walk that lets each foldable letter be itself or a Kazakh
        letter (к→к/қ, у→у/ұ/ү, и→и/і …) and prunes every prefix no indexed word
        starts with: ``когамдык`` → ``[қоғамдық]``.
        """
        table = table or UNFOLD
        key = ("~" + fieldname + str(len(table)), word)
        hit = self._prefix.get(key)
        if hit is not None:
            return hit
        out: list[str] = []
        budget = [4000]

        insert = table is RELATIN  # Latin drops ь and ъ: try them after consonants

        def walk(prefix: str, i: int) -> None:
            if len(out) >= limit or budget[0] <= 0:
                return
            if i == len(word):
                if self.has_term(fieldname, prefix) and prefix not in out:
                    out.append(prefix)
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

    def doc_len(self, fieldname: str, docnum: int) -> int:
        cache = self._len[fieldname]
        n = cache.get(docnum)
        if n is None:
            n = cache[docnum] = self.reader.doc_field_length(docnum, fieldname, 0)
        return n

    # -- scoring -----------------------------------------------------------
    def readings(self, w: QueryWord, p: RankParams) -> list[tuple[set, set, float]]:
        """``[(stems, exact forms, weight), …]``: the word as typed (weight 1) and,
        for a word typed without Kazakh letters, its spellings with them that the
        index has (weighted by how much more common they are than the typed form,
        at most ``RESPELL_MAX``: exact matches of the typed form stay first)."""
        typed_stems = w.stems | w.exact if p.surface_as_stem else set(w.stems)
        out = [(typed_stems, set(w.exact), 1.0)]
        if not (w.unfold or w.latin) or not p.respell_weight:
            return out
        from searchkz.analysis import analyze_word

        typed_df = sum(len(self.postings("exact", e)) for e in w.exact)
        found = False
        forms = [(f, UNFOLD) for f in w.unfold] + [(f, RELATIN) for f in w.latin]
        for form, table in forms:
            for alt in self.respellings(form, table=table):
                found = True
                if alt in w.exact:
                    continue
                a = analyze_word(alt)
                df = len(self.postings("exact", alt))
                share = df / (df + typed_df) if df + typed_df else 0.0
                weight = min(p.respell_max, max(p.respell_weight, share))
                stems = {a.stem, alt} if p.surface_as_stem else {a.stem}
                out.append((stems, {alt}, weight))
        if not found:
            # the form as typed is nowhere in the index: respell its stem among the indexed stems
            typed_df = sum(len(self.postings("body", t)) for t in typed_stems)
            for fst in w.folded:
                for alt in self.respellings(fst, fieldname="body"):
                    if alt in typed_stems:
                        continue
                    df = len(self.postings("body", alt))
                    share = df / (df + typed_df) if df + typed_df else 0.0
                    out.append(({alt}, set(), min(p.respell_max, max(p.respell_weight, share))))
        return out

    def _evidence(self, w: QueryWord, p: RankParams):
        """Per document: title tf, body tf, extra body-side evidence; and the word's df."""
        title: dict[int, float] = {}
        body: dict[int, float] = {}
        extra: dict[int, float] = {}
        readings = self.readings(w, p)
        seen: set = set()
        for stems, exacts, rw in readings:
            for s in stems - seen:  # every indexed token has one stem: no token counts twice
                for d, tf in self.postings("title", s).items():
                    title[d] = title.get(d, 0.0) + rw * tf
                for d, tf in self.postings("body", s).items():
                    body[d] = body.get(d, 0.0) + rw * tf
            seen |= stems
            if p.exact_weight:
                for e in exacts:
                    for d, tf in self.postings("exact", e).items():
                        extra[d] = extra.get(d, 0.0) + rw * p.exact_weight * tf
        if w.folded and p.folded_weight:
            fold: dict[int, float] = {}
            for f in w.folded:
                for d, tf in self.postings("folded", f).items():
                    fold[d] = fold.get(d, 0.0) + tf
            for d, tf in fold.items():
                more = tf - body.get(d, 0.0)
                if more > 0:
                    extra[d] = extra.get(d, 0.0) + p.folded_weight * more
        main_docs = set(title) | set(body) | set(extra)
        df = len(main_docs)
        if p.prefix_weight:
            prefixes = {e[: p.prefix_len] for _s, exacts, _w in readings for e in exacts if len(e) > p.prefix_len}
            pref: dict[int, float] = {}
            for pre in prefixes:
                for t in self.expand_prefix("exact", pre):
                    for d, tf in self.postings("exact", t).items():
                        pref[d] = pref.get(d, 0.0) + tf
            for d, tf in pref.items():
                more = tf - body.get(d, 0.0)
                if more > 0:
                    extra[d] = extra.get(d, 0.0) + p.prefix_weight * more
            if not df:
                df = len(pref)
        w._stems_used = set().union(*(st for st, _e, rw in readings if rw >= 0.5))
        return title, body, extra, df

    def positions(self, stem: str, docnums: list[int]) -> dict[int, list[int]]:
        """Body positions of ``stem`` in each of ``docnums`` (sorted ascending) that has it."""
        out: dict[int, list[int]] = {}
        if not self.postings("body", stem):
            return out
        post = self.postings("body", stem)
        todo = [d for d in docnums if d in post]
        if not todo:
            return out
        try:
            m = self.reader.postings("body", stem)
        except Exception:
            return out
        for d in todo:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
            if m.is_active() and m.id() == d:
                out[d] = list(m.value_as("positions"))
        return out

    def title_words(self, docnum: int) -> list[tuple[str, str]]:
        """``(stem, normalized)`` of each content word of the document's title (cached)."""
        hit = self._titles.get(docnum)
        if hit is None:
            from searchkz.analysis import iter_words

            title = self.searcher.stored_fields(docnum).get("title") or ""
            hit = [(a.stem, a.normalized) for _r, _s, _e, a in iter_words(title) if not a.stop]
            self._titles[docnum] = hit
        return hit

    def _title_coverage(self, words, ranked, p: RankParams) -> dict[int, float]:
        """Share of each top document's title words that the query names (``Дулат Бабатайұлы`` in
        "Дулат Бабатайұлы қай жылдарды өмір сүрген?")."""
        stems: set = set()
        pref: set = set()
        plen = p.prefix_len
        for w in words:
            for st, ex, rw in self.readings(w, p):
                stems |= st | ex
                pref.update(e[:plen] for e in ex if len(e) >= plen)
        out: dict[int, float] = {}
        for d, _s in ranked[: p.title_depth]:
            tw = self.title_words(d)
            if not tw:
                continue
            hits = sum(1 for st, nm in tw if st in stems or nm in stems or (len(nm) >= plen and nm[:plen] in pref))
            if hits:
                out[d] = hits / len(tw)
        return out

    def _proximity(self, words, idfs, ranked, p: RankParams) -> dict[int, float]:
        """Bonus for documents where query words occur close together (pairs within ``prox_window``)."""
        top = sorted(d for d, _s in ranked[: p.prox_depth])
        if len(words) < 2 or not top:
            return {}
        pos: list[dict[int, list[int]]] = []
        for w in words:
            per: dict[int, list[int]] = {}
            for st in getattr(w, "_stems_used", ()):
                for d, ps in self.positions(st, top).items():
                    per.setdefault(d, []).extend(ps)
            pos.append(per)
        bonus: dict[int, float] = {}
        win = p.prox_window
        for d in top:
            lists = [(sorted(per[d]), idfs[i]) for i, per in enumerate(pos) if d in per]
            if len(lists) < 2:
                continue
            b = 0.0
            for i in range(len(lists)):
                a, ia = lists[i]
                for j in range(i + 1, len(lists)):
                    c, ic = lists[j]
                    dist = _min_distance(a, c)
                    if dist <= win:
                        b += min(ia, ic) / dist
            if b:
                bonus[d] = b
        return bonus

    def _add_trunc(self, w: QueryWord, p: RankParams, scores, matched, allowed) -> None:
        """A second, coarser BM25 over the word's first ``trunc_len`` letters (title and body), fused in."""
        n = self.n_docs
        L = p.trunc_len
        prefixes = {e[:L] for _st, ex, _w in self.readings(w, p) for e in ex}
        title: dict[int, float] = {}
        body: dict[int, float] = {}
        for pre in prefixes:
            for t in self.expand_prefix("exact", pre):
                for d, tf in self.postings("exact", t).items():
                    body[d] = body.get(d, 0.0) + tf
            for t in self.expand_prefix("title", pre):
                for d, tf in self.postings("title", t).items():
                    title[d] = title.get(d, 0.0) + tf
        docs = set(title) | set(body)
        if not docs:
            return
        df = len(docs)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) ** p.idf_power * w.weight * p.trunc_fusion
        avg_t, avg_b, k1 = self._avg["title"], self._avg["body"], p.k1
        for d in docs:
            if allowed is not None and d not in allowed:
                continue
            tf = 0.0
            t = title.get(d)
            if t:
                tf += p.title_weight * t / (1 - p.b_title + p.b_title * self.doc_len("title", d) / avg_t)
            b = body.get(d)
            if b:
                tf += b / (1 - p.b_body + p.b_body * self.doc_len("body", d) / avg_b)
            scores[d] = scores.get(d, 0.0) + idf * tf * (k1 + 1) / (k1 + tf)
            matched[d] = matched.get(d, 0.0)

    def matched_terms(self, words: list[QueryWord], params: RankParams | None = None) -> tuple[set, set]:
        """``(stems, exact forms)`` that the ranking of ``words`` used and the index has (for highlighting)."""
        p = params or PARAMS
        stems: set = set()
        exact: set = set()
        for w in words:
            readings = self.readings(w, p)
            for st, ex, _w in readings:
                stems.update(t for t in st if self.postings("body", t) or self.postings("title", t))
                exact.update(t for t in ex if self.postings("exact", t))
            if p.prefix_weight:
                for _st, ex, _w in readings:
                    for e in ex:
                        if len(e) > p.prefix_len:
                            exact.update(self.expand_prefix("exact", e[: p.prefix_len]))
        return stems, exact

    def rank(self, words: list[QueryWord], limit: int | None = 10, allowed=None, params: RankParams | None = None):
        """``([(docnum, score), …] best first, number of matching documents)``."""
        p = params or PARAMS
        n = self.n_docs
        avg_t, avg_b = self._avg["title"], self._avg["body"]
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        total_idf = 0.0
        k1 = p.k1
        idfs = []
        for w in words:
            title, body, extra, df = self._evidence(w, p)
            if df == 0:
                total_idf += math.log(1 + (n + 0.5) / 0.5) * w.weight
                idfs.append(0.0)
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) ** p.idf_power * w.weight
            idfs.append(idf)
            total_idf += idf
            docs = set(title) | set(body) | set(extra)
            for d in docs:
                if allowed is not None and d not in allowed:
                    continue
                tf = 0.0
                t = title.get(d)
                if t:
                    tf += p.title_weight * t / (1 - p.b_title + p.b_title * self.doc_len("title", d) / avg_t)
                bsum = body.get(d, 0.0) + extra.get(d, 0.0)
                if bsum:
                    tf += bsum / (1 - p.b_body + p.b_body * self.doc_len("body", d) / avg_b)
                s = idf * tf * (k1 + 1) / (k1 + tf)
                scores[d] = scores.get(d, 0.0) + s
                matched[d] = matched.get(d, 0.0) + idf
        if p.trunc_fusion:
            for w in words:
                self._add_trunc(w, p, scores, matched, allowed)
        if not scores:
            return [], 0
        if p.coord_power and total_idf > 0:
            cp = p.coord_power
            for d in scores:
                scores[d] *= (matched[d] / total_idf) ** cp
        ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
        if p.title_cover:
            cover = self._title_coverage(words, ranked, p)
            if cover:
                for d, c in cover.items():
                    scores[d] *= 1 + p.title_cover * c ** p.title_cover_power
                ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
        if p.prox_weight and len(words) > 1:
            bonus = self._proximity(words, idfs, ranked, p)
            if bonus:
                for d, b in bonus.items():
                    scores[d] += p.prox_weight * b
                ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
        if limit is not None:
            ranked = ranked[:limit]
        return ranked, len(scores)


def _min_distance(a: list[int], b: list[int]) -> int:
    """The smallest |x - y| for x in a, y in b (both sorted); a large number when one is empty."""
    i = j = 0
    best = 1 << 30
    while i < len(a) and j < len(b):
        d = a[i] - b[j]
        if d == 0:
            return 1  # two query words with the same stem: count as adjacent
        if d < 0:
            best = min(best, -d)
            i += 1
        else:
            best = min(best, d)
            j += 1
    return best


def ranker_for(searcher) -> Ranker:
    """The searcher's ranker (created once per searcher; its caches live as long as it)."""
    r = getattr(searcher, "_searchkz_ranker", None)
    if r is None:
        r = Ranker(searcher)
        searcher._searchkz_ranker = r
    return r
