"""Ranking of free-text queries: BM25F over each query word's evidence, on numpy arrays.

A free-text query is a list of content words (:class:`QueryWord`, question and
function words already dropped by :mod:`searchkz.search`).  Each word is looked
up under one or more *readings* (:meth:`Vocabulary.readings`): the word as typed
(weight 1) and, typed without Kazakh letters or transliterated from Latin, the
spellings of it that the index has (``когамдык`` → ``қоғамдық``), weighted below
what was typed.  Per reading a word has evidence in a document from

* its stem (and surface form) in ``title`` (times ``title_weight``) and ``body``;
* its normalized form in ``exact`` (times ``exact_weight``);
* the indexed words sharing its first ``prefix_len`` letters whose stem is none of
  its stems, times ``prefix_weight`` (a safety net for stems the stemmer did not
  reduce alike; words with one of its stems are already counted by ``body``).

The body-side evidence is summed into one pseudo term frequency normalized by the
body's length (BM25F), the title's by the title's, saturated once with ``k1`` and
multiplied by the word's IDF (over the documents its evidence matches) raised to
``idf_power``.  A document's score is the sum over words.  The top
``title_depth`` documents then get ``× (1 + title_cover · c²)``, ``c`` the share of
their title's words the query names (:mod:`searchkz.titles`); a list deeper than
``fb_keep`` continues with pseudo-relevance feedback (:mod:`searchkz.feedback`).

Every step is an array operation over whole posting lists (:mod:`searchkz.postings`
reads them from each segment's arrays): a word's evidence is added into a dense
float64 array of the index's documents (``acc[ids] += factor * weights``, the same
additions in the same order as a loop over the postings, so the same numbers), the
scores of its matches are computed at once, the words' scores summed into one
array, and the top k taken with ``argpartition``.  Deleted documents are added like
the others and their entries cleared once a word's lists are in (a few entries, instead of
filtering every list as it is read); ``--since/--until`` and other filters are a mask
(:meth:`Ranker.day_mask`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from searchkz.postings import release_segments, segments_of
from searchkz.vocabulary import Vocabulary


@dataclass
class RankParams:
    k1: float = 1.2
    b_body: float = 0.75
    b_title: float = 0.8  # 0.5 -> 0.8: +0.0006 / +0.0013 MRR@10 on the two halves of KazQAD dev (noise level)
    title_weight: float = 2.0
    exact_weight: float = 0.35
    prefix_weight: float = 0.3
    prefix_len: int = 5
    idf_power: float = 1.5
    title_cover: float = 0.5
    title_cover_power: float = 2.0
    title_depth: int = 100
    respell_weight: float = 0.6
    respell_max: float = 0.95
    # pseudo-relevance feedback for the documents after the first fb_keep (0 terms: off)
    fb_keep: int = 20
    fb_docs: int = 5
    fb_terms: int = 20
    fb_weight: float = 0.3
    fb_temp: float = 3.0
    fb_max_df: float = 0.03
    fb_max_postings: int = 2000
    fb_chars: int = 2000


PARAMS = RankParams()


@dataclass
class QueryWord:
    """The index terms one query word is searched by."""

    raw: str
    stems: set = field(default_factory=set)  # body/title terms
    exact: set = field(default_factory=set)  # exact-field terms
    folded: set = field(default_factory=set)  # folded stems (typed without Kazakh letters)
    weight: float = 1.0
    unfold: set = field(default_factory=set)  # typed forms without Kazakh letters: look up how they are spelled with them
    latin: set = field(default_factory=set)  # forms transliterated from Latin: look up their ambiguous letters


class Ranker(Vocabulary):
    """Scores free-text queries against one searcher's reader (one per searcher: :func:`ranker_for`)."""

    def __init__(self, searcher) -> None:
        keep_heap()
        self.reader = searcher.reader()
        super().__init__(segments_of(self.reader))
        self.n_all = self.reader.doc_count_all()
        self.n_docs = max(1, self.reader.doc_count())
        self._avg = {}
        for f in ("title", "body", "exact"):
            self._avg[f] = max(sum(seg.live_length(f) for seg in self.segments) / self.n_docs, 1e-9)
        self._norms: dict[tuple, np.ndarray] = {}
        self._days = None
        self._lengths: dict[str, np.ndarray] = {}
        self._work = None  # (Ranker._buffers)
        self._dead = np.concatenate([seg.dead for seg in self.segments])  # deleted: cleared after adding
        self.postings_read = 0  # postings read (for tests and profiling)

    # -- index access ------------------------------------------------------
    def _length_norm(self, fieldname: str, b: float, times: float = 1.0) -> np.ndarray:
        """Per docnum, ``times · (1 - b + b · length / average)`` of a field (computed once)."""
        key = (fieldname, b, times)
        hit = self._norms.get(key)
        if hit is None:
            if times != 1.0:
                hit = times * self._length_norm(fieldname, b)
            else:
                hit = 1 - b + b * self.lengths(fieldname) / self._avg[fieldname]
            self._norms[key] = hit
        return hit

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length in a field (indexed terms; read once)."""
        hit = self._lengths.get(fieldname)
        if hit is None:
            hit = self._lengths[fieldname] = np.concatenate([seg.lengths(fieldname) for seg in self.segments])
        return hit

    def days(self) -> np.ndarray:
        """Each document's day (days since 1970-01-01; :data:`searchkz.arrays.NO_DAY`: undated)."""
        if self._days is None:
            self._days = np.concatenate([seg.days() for seg in self.segments])
        return self._days

    def live(self) -> np.ndarray:
        """A bool a document: not deleted."""
        return np.concatenate([seg.live if seg.live is not None else np.ones(seg.n, dtype=bool)
                               for seg in self.segments])

    def day_mask(self, first: int | None, last: int | None) -> np.ndarray:
        """The documents dated from day ``first`` to day ``last`` (either None: open)."""
        from searchkz.arrays import NO_DAY

        days = self.days()
        mask = days != NO_DAY
        if first is not None:
            mask &= days >= first
        if last is not None:
            mask &= days <= last
        return mask

    def having(self, word: QueryWord, params: RankParams | None = None) -> np.ndarray:
        """A bool a document: it has ``word`` — a stem in ``title`` or ``body`` or a form in ``exact``,
        in any reading the ranking searches the word by (not the prefix net)."""
        out = np.zeros(self.n_all, dtype=bool)
        for stems, exacts, _weight in self.readings(word, params or PARAMS):
            for fieldname, terms in (("title", stems), ("body", stems), ("exact", exacts)):
                for t in terms:
                    out[self.plist(fieldname, t)[0]] = True
        return out

    # -- scoring -----------------------------------------------------------
    def _plan(self, w: QueryWord, p: RankParams) -> tuple[list, list, int]:
        """A word's lists in summing order: ``([(title term, factor)], [(field, term, factor)] of
        the body side — body stems, exact forms, then the prefix net —, how many of those come
        before the prefix net)``."""
        from searchkz.analysis import analyze_word

        readings = self.readings(w, p)
        title, body, extra, pref = [], [], [], []
        seen: set = set()
        for stems, exacts, rw in readings:
            for s in sorted(stems - seen):  # every indexed token has one stem: no token counts twice
                title.append((s, rw))
                body.append(("body", s, rw))
            seen |= stems
            if p.exact_weight:
                extra.extend(("exact", e, rw * p.exact_weight) for e in sorted(exacts))
        if p.prefix_weight:
            prefixes = {e[: p.prefix_len] for _s, exacts, _w in readings for e in exacts if len(e) > p.prefix_len}
            for pre in sorted(prefixes):
                pref.extend(("exact", t, p.prefix_weight) for t in self.expand_prefix("exact", pre)
                            if analyze_word(t).stem not in seen)
        return title, body + extra + pref, len(body) + len(extra)

    def _add(self, lists: list, acc: np.ndarray, hit: np.ndarray | None) -> None:
        """Add each list's ``factor · weight`` into ``acc`` (and mark its documents in ``hit``), list
        by list: each document's sum gets its terms in the same order as a loop over the postings
        would add them, so the same numbers."""
        for fieldname, term, f in lists:
            for seg in self.segments:
                self.postings_read += seg.add(fieldname, term, f, acc, hit)

    def _buffers(self) -> tuple:
        """Work arrays of the index's documents, reused word after word: a fresh array this size
        costs its pages' first touch every time (most of a word's dense operations at 100k)."""
        if self._work is None:
            n = self.n_all
            self._work = (np.empty(n, dtype=bool), *(np.empty(n) for _ in range(4)))
        return self._work

    def word_scores(self, w: QueryWord, p: RankParams) -> np.ndarray | None:
        """The word's BM25F score in every document (None: no evidence; 0 where none): a work
        array, to use before the next call."""
        title, body, main = self._plan(w, p)
        hit, t, v, out, x = self._buffers()
        hit.fill(False)
        v.fill(0.0)
        dead = self._dead
        if title:
            t.fill(0.0)
            self._add([("title", term, f) for term, f in title], t, hit)
            t[dead] = 0.0
        self._add(body[:main], v, hit)
        hit[dead] = False
        df = int(np.count_nonzero(hit))
        self._add(body[main:], v, None if df else hit)  # only the prefix net: its documents count
        v[dead] = 0.0
        if not df:
            hit[dead] = False
            df = int(np.count_nonzero(hit))
            if not df:
                return None
        idf = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)) ** p.idf_power * w.weight
        k1 = p.k1
        c = idf * (k1 + 1)
        # idf · tf · (k1 + 1) / (k1 + tf) with tf = v / norm, as c · v / (v + k1 · norm) (0 where v is),
        # operation by operation into the work arrays
        np.divide(np.multiply(v, c, out=out), np.add(v, self._length_norm("body", p.b_body, k1), out=x), out=out)
        if title:  # where the title has it (few documents): tf = title_weight · t / title norm + v / body norm,
            d = np.flatnonzero(t != 0)  # and c · tf / (k1 + tf)
            tf = t[d] * p.title_weight / self._length_norm("title", p.b_title)[d] + v[d] / self._length_norm("body", p.b_body)[d]
            out[d] = tf * c / (tf + k1)
        return out

    def scores(self, words: list[QueryWord], allowed=None, params: RankParams | None = None) -> np.ndarray:
        """Every document's score (before the title boost): an array of the index's documents,
        0 where nothing matched or ``allowed`` (a bool a document) is False."""
        p = params or PARAMS
        scores = np.zeros(self.n_all)
        for w in words:
            contrib = self.word_scores(w, p)
            if contrib is not None:
                scores += contrib
        if allowed is not None:
            scores[~allowed] = 0.0
        return scores

    def rank(self, words: list[QueryWord], limit: int | None = 10, allowed=None, params: RankParams | None = None):
        """``([(docnum, score), …] best first, the matching documents' numbers)`` (their number is
        the total).

        A list deeper than ``fb_keep`` continues, after the first ``fb_keep`` documents in
        their own order, with the ranking of the query expanded by pseudo-relevance feedback
        (:mod:`searchkz.feedback`): recall for the deep end of a list without touching its top.
        """
        from searchkz.titles import title_boost

        p = params or PARAMS
        scores = self.scores(words, allowed, p)
        docs = np.flatnonzero(scores != 0)  # (on floats flatnonzero takes ~5x as long as on bools)
        total = len(docs)
        if not total:
            return [], docs
        deep = limit is None or (p.fb_terms and limit > p.fb_keep)
        # only the best max(limit, title_depth) need an order (the title boost multiplies the first
        # title_depth, so the final first `limit` are among them)
        k = total if deep else max(limit, p.title_depth if p.title_cover else 0)
        top = best(docs, scores[docs], k)
        if p.title_cover:
            top = title_boost(self, words, top, scores, p)
            if deep:
                top = best(docs, scores[docs], total)
        ranked = list(zip(top.tolist(), scores[top].tolist()))
        if p.fb_terms and (limit is None or limit > p.fb_keep) and len(ranked) > p.fb_keep:
            from searchkz.feedback import feedback_tail

            ranked = feedback_tail(self, words, ranked, scores, allowed, p, limit)
        if limit is not None:
            ranked = ranked[:limit]
        return ranked, docs

    def matched_terms(self, words: list[QueryWord], params: RankParams | None = None) -> tuple[set, set]:
        """``(stems, exact forms)`` that the ranking of ``words`` used and the index has (for highlighting)."""
        p = params or PARAMS
        stems: set = set()
        exact: set = set()
        for w in words:
            readings = self.readings(w, p)
            for st, ex, _w in readings:
                stems.update(t for t in st if self.in_vocabulary("body", t) or self.in_vocabulary("title", t))
                exact.update(t for t in ex if self.in_vocabulary("exact", t))
            if p.prefix_weight:
                for _st, ex, _w in readings:
                    for e in ex:
                        if len(e) > p.prefix_len:
                            exact.update(self.expand_prefix("exact", e[: p.prefix_len]))
        return stems, exact


def best(docs: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` docnums of ``docs`` with the highest ``values``, by (-value, docnum)."""
    if k <= 0:
        return docs[:0]
    if k < len(docs):
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth  # (k of them, or more with ties)
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))[:k]
    return docs[order]


_heap_kept = False


def keep_heap() -> None:
    """Let the C heap keep its free memory (glibc; once a process).  A search allocates and frees
    arrays of the index's documents query after query (~2 MB in all at 100,000 documents), and
    glibc gives the free top of its heap back to the system whenever it exceeds the trim
    threshold (by default twice the largest block yet freed): every query faulted ~200 pages
    back in, ~0.5 ms of system time and ~20% of a warm search's time at 100,000 documents.
    Blocks under 32 MB now come from the heap, and up to 64 MB of its free top stays mapped."""
    global _heap_kept
    if _heap_kept:
        return
    _heap_kept = True
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    if mallopt(-3, 32 << 20):  # M_MMAP_THRESHOLD (its maximum on 64 bits; setting it ends glibc's own
        mallopt(-1, 64 << 20)  # adjustment of both) and M_TRIM_THRESHOLD


def release(searcher) -> None:
    """Drop what :func:`ranker_for` and :func:`~searchkz.postings.segments_of` keep on a closed
    searcher: Whoosh's readers live in reference cycles, and the mapped arrays would keep a
    closed generation's files (a deleted one's disk space) until the garbage collector ran."""
    searcher.__dict__.pop("_searchkz_ranker", None)
    release_segments(searcher.ixreader)


def ranker_for(searcher) -> Ranker:
    """The searcher's ranker (created once per searcher; it lives as long as the searcher)."""
    r = getattr(searcher, "_searchkz_ranker", None)
    if r is None:
        r = Ranker(searcher)
        searcher._searchkz_ranker = r
    return r
