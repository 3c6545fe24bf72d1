"""A syntax query's cost bounds: capped term expansions, a clause limit and a time budget.

Whoosh expands a wildcard, prefix, fuzzy (``~``), regex or term-range leaf into every
indexed term it matches (``а*``: thousands; ``қазақ~9``: most of the vocabulary) and
walks the whole term list for a leading wildcard or an open range.  Here each such leaf
becomes an OR of at most :data:`MAX_EXPANSIONS` terms, the ones in the most documents,
with a notice when more matched; edit distances above :data:`MAX_EDITS` are lowered to
it; a query of more than :data:`MAX_CLAUSES` terms is refused; and the search runs under
a time budget (:func:`collect`): past it, the documents found so far are returned as a
partial result.  Totals are counted over every matching document (no block skipping), so
they are exact.
"""

from __future__ import annotations

import functools
import heapq
import re
import signal
import threading
import time
from bisect import bisect_left, bisect_right

import numpy as np

from searchkz.errors import QueryError

#: Terms one wildcard / prefix / fuzzy / regex / term-range leaf may stand for (the most frequent are kept).
MAX_EXPANSIONS = 50
#: The largest edit distance of a fuzzy term (``word~N``), as in Lucene.
MAX_EDITS = 2
#: Term leaves one query may have after expansion (a plain word is three: body, title, exact).
MAX_CLAUSES = 1024
#: Words a free-text query is ranked by: a longer one keeps its rarest (the ranking reads every
#: posting list of every word; a pasted paragraph of common words read them all).
MAX_FREE_WORDS = 32
#: Share of the time budget kept for making the hits (snippets) after the search stops.
HITS_SHARE = 0.15
#: Seconds a search may take by default (``Index.search(timeout=...)``, ``--timeout``).
DEFAULT_TIMEOUT = 1.0
MAX_TIMEOUT = 3600.0  # (an hour: past it a deadline is no bound, and Whoosh's timer rejects huge ones)


class TimeUp(BaseException):
    """The time budget ran out (a BaseException: Whoosh's ``except Exception`` around its reads
    must not swallow it, nor turn it into a "damaged index" error)."""


def _check(deadline: float) -> None:
    if time.perf_counter() > deadline:
        raise TimeUp


def _merged(reader, fieldname: str, prefix: str, deadline: float) -> dict:
    """``{term: documents}`` of the field's terms starting with ``prefix``: from each segment's
    arrays (:mod:`searchkz.arrays`, a bisection and a slice) or, in a segment without them, its
    term table walked in order; the counts summed."""
    from searchkz.postings import segments_of

    out: dict = {}
    get = out.get
    for seg in segments_of(reader):
        items = seg.term_counts(fieldname, prefix)
        for i, (t, n) in enumerate(items):
            out[t] = get(t, 0) + n
            if not i & 1023:
                _check(deadline)
    return out


class _Vocabulary:
    """A field's whole term list with document frequencies, read once per open reader
    (for leading wildcards, term ranges and fuzzy terms without a prefix)."""

    def __init__(self, reader, fieldname: str, deadline: float) -> None:
        merged = _merged(reader, fieldname, "", deadline)  # (TimeUp: nothing kept)
        self.terms = sorted(merged)
        self.dfs = [merged[t] for t in self.terms]


#: Term lists in memory, by (the reader's segments, field): they outlive a searcher closed after a
#: partial search, and a reindex's new segments get their own.
_VOCABULARIES: dict = {}
_MAX_VOCABULARIES = 8


def _segments_key(reader) -> tuple:
    try:
        return tuple(sub.segment().segment_id() for sub, _o in reader.leaf_readers())
    except Exception:  # not a segment reader: key by the object
        return (id(reader),)


def vocabulary(reader, fieldname: str, deadline: float) -> _Vocabulary:
    """The field's term list, read once per set of segments in this process (later searches
    bisect and scan it); a read that runs past the deadline is dropped (:class:`TimeUp`)."""
    key = (_segments_key(reader), fieldname)
    v = _VOCABULARIES.get(key)
    if v is None:
        v = _Vocabulary(reader, fieldname, deadline)
        if len(_VOCABULARIES) >= _MAX_VOCABULARIES:
            _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
        _VOCABULARIES[key] = v
    return v


def _prefixed(reader, fieldname: str, prefix: str, deadline: float):
    """``(term, doc frequency)`` of the terms starting with ``prefix`` (a walk of that stretch
    of each segment's term table only, or a bisection of the term list once it is in memory)."""
    v = _VOCABULARIES.get((_segments_key(reader), fieldname))
    if v is not None:
        i = bisect_left(v.terms, prefix)
        while i < len(v.terms) and v.terms[i].startswith(prefix):
            yield v.terms[i], v.dfs[i]
            i += 1
        return
    yield from _merged(reader, fieldname, prefix, deadline).items()


def _wildcard_regex(pattern: str):
    out = []
    for c in pattern:
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
    return re.compile("".join(out), re.S)


def _literal_head(pattern: str) -> str:
    m = re.match(r"[^*?]*", pattern)
    return m.group() if m else ""


def _candidates(leaf, reader, deadline: float):
    """``(term, doc frequency)`` of every indexed term a multi-term leaf matches, and a
    description of the leaf for notices."""
    from whoosh import query as wq

    from searchkz.search import _edit_distance

    f = leaf.fieldname
    if isinstance(leaf, wq.Prefix):  # (a pattern typed without Kazakh letters: its indexed spellings')
        prefixes = getattr(leaf, "alternatives", (leaf.text,))
        return (p for prefix in prefixes for p in _prefixed(reader, f, prefix, deadline)), f"{f}:{leaf.text}*"
    if isinstance(leaf, wq.Wildcard):
        rx = _wildcard_regex(leaf.text)
        head = _literal_head(leaf.text)
        pool = _prefixed(reader, f, head, deadline) if head else _all(reader, f, deadline)
        return ((t, n) for t, n in pool if rx.fullmatch(t)), f"{f}:{leaf.text}"
    if isinstance(leaf, wq.Regex):
        rx = re.compile(leaf.text)
        return ((t, n) for t, n in _all(reader, f, deadline) if rx.fullmatch(t)), f"{f}:r{leaf.text!r}"
    if isinstance(leaf, wq.FuzzyTerm):
        word, dist = leaf.text, min(int(leaf.maxdist), MAX_EDITS)
        head = word[: leaf.prefixlength]
        pool = _prefixed(reader, f, head, deadline) if head else _all(reader, f, deadline)
        lo, hi = len(word) - dist, len(word) + dist
        letters = frozenset(word)

        def near(t: str) -> bool:  # cheap bounds first: each letter one side lacks costs an edit
            return (lo <= len(t) <= hi and len(letters.difference(t)) <= dist
                    and len(set(t).difference(letters)) <= dist and _edit_distance(word, t) <= dist)

        return ((t, n) for t, n in pool if near(t)), f"{f}:{word}~{dist}"
    if isinstance(leaf, wq.TermRange):
        v = vocabulary(reader, f, deadline)
        start, end = leaf.start or "", leaf.end
        i = bisect_right(v.terms, start) if leaf.startexcl else bisect_left(v.terms, start)
        j = len(v.terms) if end is None else (bisect_left(v.terms, end) if leaf.endexcl else bisect_right(v.terms, end))
        return zip(v.terms[i:j], v.dfs[i:j]), f"{f}:[{start} TO {end or ''}]"
    if isinstance(leaf, wq.Variations):
        return ((t, n) for t, n in ((t, reader.doc_frequency(f, t)) for t in leaf._words(reader)) if n), f"{f}:{leaf.text}"
    raise QueryError(f"cannot run a {type(leaf).__name__} query")


def _all(reader, fieldname: str, deadline: float):
    v = vocabulary(reader, fieldname, deadline)
    return zip(v.terms, v.dfs)


def _pick(leaf, reader, deadline: float, notices: list) -> list[str]:
    """The leaf's most frequent terms (at most :data:`MAX_EXPANSIONS`), in order."""
    from whoosh import query as wq

    if isinstance(leaf, wq.FuzzyTerm) and leaf.maxdist > MAX_EDITS:
        notices.append(f"{leaf.fieldname}:{leaf.text}~{leaf.maxdist:g}: edit distance lowered to {MAX_EDITS} (the most allowed)")
    pairs, name = _candidates(leaf, reader, deadline)
    counted = 0

    def counting():
        nonlocal counted
        for i, p in enumerate(pairs):
            counted += 1
            if not i & 255:
                _check(deadline)
            yield p

    kept = heapq.nlargest(MAX_EXPANSIONS, counting(), key=lambda p: (p[1], p[0]))
    if counted > MAX_EXPANSIONS:
        notices.append(
            f"{name} matches {counted:,} terms: searched the {MAX_EXPANSIONS} in the most documents "
            f"(at most {MAX_EXPANSIONS} a wildcard, prefix, fuzzy or range term)"
        )
    return [t for t, _n in sorted(kept)]


def _expand(leaf, terms: list[str], deadline: float, searcher=None):
    """The leaf as its picked ``terms``: the documents with any of them (:func:`_docset_class`,
    given the ``searcher``), else an OR of the terms."""
    from whoosh import query as wq

    if not terms:
        return wq.NullQuery
    if searcher is None:
        return wq.Term(leaf.fieldname, terms[0], boost=leaf.boost) if len(terms) == 1 else wq.Or(
            [wq.Term(leaf.fieldname, t, boost=leaf.boost) for t in terms])
    return _docset_class()(searcher, leaf.fieldname, terms, _union(searcher, leaf.fieldname, terms, deadline), leaf.boost)


def _non_empty(node, searcher, deadline: float):
    """``field:*``: the documents with anything in the field, from its stored lengths (Whoosh's
    ``Every`` reads every posting of the field); a field without lengths stays as it is."""
    from whoosh import query as wq

    field = searcher.schema[node.fieldname] if node.fieldname in searcher.schema else None
    if field is None:
        return wq.NullQuery
    if node.fieldname == "id":  # every document has one
        return wq.Every()
    if not field.scorable:
        return node
    docs = []
    for sub, offset in searcher.leaf_searchers():
        r = sub.reader()
        length = r.doc_field_length
        for i, d in enumerate(r.all_doc_ids()):
            if length(d, node.fieldname):
                docs.append(d + offset)
            if not i & 4095:
                _check(deadline)
    return _docset_class()(searcher, node.fieldname, [], np.array(docs, dtype=np.intp), node.boost)


def _range_docs(node, searcher, deadline: float):
    """A date or number range: the documents of its tier terms (Whoosh's ``simplify``), read
    from the posting lists like an expanded pattern, with the range's constant score."""
    from whoosh import query as wq

    if isinstance(node, wq.DateRange) and node.fieldname == "date":  # the segments' days array
        from searchkz.rank import ranker_for

        ranker = ranker_for(searcher)
        first = None if node.startdate is None else _day_bound(node.startdate, True, node.startexcl)
        last = None if node.enddate is None else _day_bound(node.enddate, False, node.endexcl)
        docs = np.flatnonzero(ranker.day_mask(first, last) & ranker.live())
        return _docset_class()(searcher, node.fieldname, [], docs, node.boost)
    q = node.simplify(searcher.reader())
    leaves = [q] if q.is_leaf() else list(q.leaves())
    if not all(isinstance(leaf, wq.Term) for leaf in leaves):
        return node
    docs = _union(searcher, node.fieldname, [leaf.text for leaf in leaves], deadline)
    return _docset_class()(searcher, node.fieldname, [], docs, node.boost)


def _day_bound(dt, low: bool, excl: bool) -> int:
    """The first (``low``) or last day whose documents a range bound keeps: a document is indexed
    at its day's midnight (:func:`searchkz.index.index_day`)."""
    from searchkz.arrays import day_number

    day = day_number(dt)
    midnight = (dt.hour, dt.minute, dt.second, dt.microsecond) == (0, 0, 0, 0)
    if low:
        return day if midnight and not excl else day + 1
    return day - 1 if midnight and excl else day


def _union(searcher, fieldname: str, terms: list, deadline: float) -> np.ndarray:
    """The live documents with any of ``terms``, sorted."""
    docs = np.zeros(searcher.doc_count_all(), dtype=bool)
    for t in terms:
        docs[term_docs(searcher, fieldname, t)] = True
        _check(deadline)
    return np.flatnonzero(docs)


def term_docs(searcher, fieldname: str, term: str) -> np.ndarray:
    """The live documents (top-level numbers) with ``term``: the ranker's posting lists (from the
    segment arrays: ~30x faster than Whoosh's matchers).  The one call into the ranker."""
    from searchkz.rank import ranker_for

    return ranker_for(searcher).plist(fieldname, term)[0]


@functools.cache
def _docset_class():
    """The query leaf an expanded pattern becomes: its documents, each with one constant score
    (as Whoosh scores pattern queries, and Lucene's and Elasticsearch's default rewrite), so
    Whoosh walks one sorted list per segment instead of a union of its terms' lists."""
    from whoosh import query as wq
    from whoosh.matching import ListMatcher, NullMatcher

    class DocSet(wq.Query):
        def __init__(self, searcher, fieldname: str, terms: list, docs: np.ndarray, boost: float = 1.0) -> None:
            """``docs``: the documents' top-level numbers, sorted, each once."""
            self.fieldname, self.texts, self.boost = fieldname, terms, boost
            self.n = len(docs)
            self._by_leaf = {}
            for sub, offset in searcher.leaf_searchers():
                lo, hi = np.searchsorted(docs, [offset, offset + sub.doc_count_all()])
                self._by_leaf[id(sub)] = (docs[lo:hi] - offset).tolist()

        def __repr__(self) -> str:
            return f"DocSet({self.fieldname!r}, {len(self.texts)} terms, {self.n} documents)"

        def __eq__(self, other) -> bool:
            return self is other

        def __hash__(self) -> int:
            return id(self)

        def is_leaf(self) -> bool:
            return True

        def field(self):
            return self.fieldname

        def estimate_size(self, ixreader) -> int:
            return self.n

        def expanded_terms(self, ixreader, phrases=False):
            return [(self.fieldname, t.encode("utf-8")) for t in self.texts]

        def terms(self, phrases=False):
            return iter(())

        def matcher(self, searcher, context=None):
            ids = self._by_leaf.get(id(searcher))
            if not ids:
                return NullMatcher()
            return ListMatcher(ids, all_weights=self.boost)

    return DocSet


def bound_query(q, reader, deadline: float, searcher=None):
    """``(query, notices)``: ``q`` with every multi-term leaf expanded to at most
    :data:`MAX_EXPANSIONS` terms.  Raises :class:`QueryError` past :data:`MAX_CLAUSES`
    terms, :class:`TimeUp` past the deadline."""
    from whoosh import query as wq

    notices: list = []
    picked: dict = {}  # id(pattern leaf) -> its terms: all picked (and counted) before any is read

    def pick(node):
        if isinstance(node, wq.MultiTerm):
            picked[id(node)] = _pick(node, reader, deadline, notices)
        return node

    q.accept(pick)
    n = sum(map(len, picked.values()))
    if n > MAX_CLAUSES:
        raise QueryError(f"the query's patterns stand for {n:,} terms, at most {MAX_CLAUSES:,}: "
                         "use fewer words or narrower patterns")

    def fix(node):
        if isinstance(node, wq.MultiTerm):
            return _expand(node, picked[id(node)], deadline, searcher)
        if isinstance(node, wq.Every) and searcher is not None and node.fieldname not in (None, "", "*"):
            return _non_empty(node, searcher, deadline)
        if isinstance(node, wq.NumericRange) and searcher is not None:
            return _range_docs(node, searcher, deadline)
        return node

    out = q.accept(fix)
    if out is not q:
        out = out.normalize()
    n = sum(1 for leaf in (out.leaves() if not out.is_leaf() else [out]) if isinstance(leaf, wq.Term))
    n += sum(len(leaf.texts) for leaf in (out.leaves() if not out.is_leaf() else [out]) if hasattr(leaf, "texts"))
    n += sum(len(p.words) for p in _phrases(out))
    if n > MAX_CLAUSES:
        raise QueryError(f"the query stands for {n:,} terms, at most {MAX_CLAUSES:,}: use fewer words or narrower patterns")
    return out, notices


def _phrases(q):
    from whoosh import query as wq

    leaves = [q] if q.is_leaf() else q.leaves()
    return [p for p in leaves if isinstance(p, wq.Phrase)]


class _Alarm:
    """SIGALRM after ``seconds`` raising :class:`TimeUp` (the main thread of a Unix process),
    else None: the collector's timer thread flips a flag between matches."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def _ring(self, signum, frame):
        if self.armed:
            self.armed = False
            raise TimeUp

    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, self._ring)
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, max(self.seconds, 1e-4))
        return self

    def __exit__(self, *exc):
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)
        return False


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _counting_top(limit: int):
    """Whoosh's top-N collector visiting every matching document: no block-quality skipping,
    and no pruning of sub-queries that cannot reach the top N (Whoosh's ``replace(minscore)``,
    which drops them from the count too), so ``total`` is exact; ``matched`` lists them."""
    from whoosh.collectors import TopCollector

    class CountingTop(TopCollector):
        def _collect(self, global_docnum, score):
            self.matched.append(global_docnum)
            out = super()._collect(global_docnum, score)
            self.minscore = 0
            return out

    top = CountingTop(limit=limit, usequality=False)
    top.matched = []
    return top


def collect(searcher, q, limit: int, filt, deadline: float):
    """``(hits, matches, partial)``: the top ``limit`` ``(docnum, score)`` of ``q`` (within the
    filter ``filt``), the docnums of every matching document, and whether the time budget ran
    out (then the hits and the matches are those of the documents reached so far)."""
    from whoosh.collectors import TimeLimit, TimeLimitCollector

    from whoosh.collectors import FilterCollector

    deadline -= HITS_SHARE * max(0.0, deadline - time.perf_counter())  # time left for the snippets
    top = _counting_top(limit)
    c = FilterCollector(top, allow=filt) if filt is not None else top
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise TimeUp
    partial = False
    if _can_alarm():
        try:
            with _Alarm(remaining):
                searcher.search_with_collector(q, c)
        except TimeUp:
            partial = True
        results = c.results()
    else:
        tlc = TimeLimitCollector(c, remaining, use_alarm=False)
        try:
            searcher.search_with_collector(q, tlc)
        except TimeLimit:
            partial = True
        results = tlc.results()
    hits = [(results.docnum(i), results.score(i)) for i in range(results.scored_length())]
    return hits, np.array(top.matched, dtype=np.intp), partial  # (a matcher visits a document once)


def time_budget(timeout) -> float:
    """The seconds a search may take: ``timeout`` (a positive number) or :data:`DEFAULT_TIMEOUT`."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise QueryError(f"timeout must be a number of seconds, not {timeout!r}") from None
    if not 0 < seconds <= MAX_TIMEOUT:  # also NaN
        raise QueryError(f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {timeout!r}")
    return seconds


def run_syntax(searcher, plan, limit: int, filt, deadline: float, budget: float):
    """``(hits, matches, notices, partial)`` of a syntax query (``plan.query``, replaced by its
    bounded form so that highlighting reads the same terms; ``matches``: the docnums of every
    matching document)."""
    notices: list = []
    try:
        plan.query, notices = bound_query(plan.query, searcher.reader(), deadline, searcher)
        hits, matches, partial = collect(searcher, plan.query, limit, filt, deadline)
    except TimeUp:
        hits, matches, partial = [], np.zeros(0, dtype=np.intp), True
    if partial:
        notices.append(
            f"the time budget of {budget:g} s ran out: partial results, {len(matches):,} matching documents "
            "found so far (narrow the query or allow more time)"
        )
    return hits, matches, notices, partial


def cap_free_words(searcher, plan) -> list:
    """Keep a free-text query's :data:`MAX_FREE_WORDS` rarest words (fewest documents with any
    of their body stems); returns the notices."""
    words = plan.qwords
    if len(words) <= MAX_FREE_WORDS:
        return []
    reader = searcher.reader()

    def documents(w) -> int:
        return max((reader.doc_frequency("body", t) for t in w.stems), default=0)

    keep = set(map(id, sorted(words, key=documents)[:MAX_FREE_WORDS]))
    plan.qwords = [w for w in words if id(w) in keep]
    return [f"the query has {len(words)} words: ranked by the {MAX_FREE_WORDS} in the fewest documents "
            f"(at most {MAX_FREE_WORDS} words of free text)"]
