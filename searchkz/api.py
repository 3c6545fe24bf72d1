"""The Python API: :class:`Index` (reindex, search, get, stats, check).

The CLI is a thin layer over this module.
"""

from __future__ import annotations

import numbers
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from searchkz.errors import DocumentNotFoundError, IndexCorruptError, IndexNotFoundError, QueryError, SearchkzError
from searchkz.index import ReindexStats

SUGGEST_BELOW = 3  # a search with fewer hits than this also gets a "did you mean" suggestion

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


def default_index_path() -> Path:
    return Path(os.environ.get("SEARCHKZ_INDEX") or DEFAULT_INDEX)


def default_corpus_path() -> Path:
    return Path(os.environ.get("SEARCHKZ_CORPUS") or DEFAULT_CORPUS)


@dataclass
class Document:
    """A whole stored article."""

    id: str
    title: str
    date: datetime | None
    text: str
    source: str
    metadata: dict = field(default_factory=dict)
    copies: list[str] = field(default_factory=list)  # ids of its other copies (searchkz.dedup)

    def to_dict(self, spans=(), title_spans=()) -> dict:
        """The article as JSON, with the ``(start, end)`` highlights of a query in its text and title."""
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
            "text": self.text,
            "highlights": [list(s) for s in spans],
            "title_highlights": [list(s) for s in title_spans],
            "copies": list(self.copies),
            "metadata": self.metadata,
        }


@dataclass
class SearchResult(list):
    """The hits of one search (a list of :class:`~searchkz.search.Hit`) with the total count."""

    def __init__(self, hits=(), total: int = 0, query: str = "", suggestion: str | None = None, seconds: float = 0.0):
        super().__init__(hits)
        self.total = total
        self.query = query
        self.suggestion = suggestion
        self.seconds = seconds
        self.offset = 0  # hits skipped before the first (paging)
        self.notices: list[str] = []  # e.g. a wildcard narrowed to its most frequent terms (searchkz.bounds)
        self.partial = False  # the time budget ran out: the hits and total of the documents reached
        self.groups = total  # the results the pages hold: with copies collapsed, each group counted once


def _copies_of(searcher, gen, doc_id: str) -> list[str]:
    """The other ids of an article's group of copies."""
    from searchkz.explore import copy_groups

    copies = copy_groups(searcher, gen)
    for g in copies.groups if copies is not None else ():  # (thousands of groups at most)
        if doc_id in g:
            return [m for m in g if m != doc_id]
    return []


def _current_stamp(path: Path) -> int:
    """When the index's live generation was last switched (its ``CURRENT`` file's mtime): an error
    that says what is wrong when there is no index, a file, or a folder this user may not read."""
    from searchkz.index import CURRENT

    try:
        return (path / CURRENT).stat().st_mtime_ns
    except FileNotFoundError:
        raise IndexNotFoundError(f"no index at {path}; build it with: searchkz reindex --index {path}") from None
    except NotADirectoryError:
        raise IndexNotFoundError(f"no index at {path}: it is a file, not an index folder") from None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read the index at {path}: {exc.strerror}") from None


def _check_count(name: str, value, least: int) -> None:
    """A whole number argument (``limit``, ``offset``) of at least ``least``, else :class:`QueryError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        kind = "a positive number" if least else "zero or a positive number"
        raise QueryError(f"{name} must be {kind}, not {value!r}")


def _check_source(source) -> None:
    """An outlet filter is a name or None: another value (a number, a list of names) is a
    :class:`QueryError`, not a filter that silently matches no article."""
    if source is not None and not isinstance(source, str):
        raise QueryError(f"source must be an outlet's name (a string), not {source!r}")


def _is_id(doc_id) -> bool:
    """Can ``doc_id`` be an article's id (a string UTF-8 can write)?  Another value finds no article."""
    if not isinstance(doc_id, str):
        return False
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:  # (a lone surrogate: undecodable bytes of a command line)
        return False
    return True


def _date_filter(since, until) -> tuple[int | None, int | None] | None:
    """``--since``/``--until`` as the first and last day kept (days since 1970-01-01; None: open),
    or None without them.  Dates are kept by day: a bound inside a day keeps that whole day."""
    lo, hi = _as_datetime(since), _as_datetime(until, end=True)
    if not (lo or hi):
        return None
    if lo and hi and lo > hi:
        raise QueryError(f"since ({since}) is after until ({until})")
    return _day(lo), _day(hi)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]|\Z)")  # (not a week date: 2019-W01 is no day a bound can name)


def _as_datetime(value, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # (the wall time, as the corpus reader keeps an article's)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, *((23, 59, 59) if end else (0, 0, 0)))
    if isinstance(value, str):
        from searchkz.corpus import parse_date

        m = re.fullmatch(r"\s*(\d{4})(?:[-./](\d{1,2}))?\s*", value)
        if m:  # a year or a year-month: the whole period
            year, month = int(m.group(1)), int(m.group(2) or 0)
            if year < 1 or (m.group(2) is not None and not 1 <= month <= 12):  # (2019-00: no month)
                raise QueryError(f"cannot read the date {value!r} (use YYYY-MM-DD)")
            if not end:
                return datetime(year, month or 1, 1)
            if month == 0 or month == 12:
                return datetime(year, 12, 31, 23, 59, 59)
            return datetime(year, month + 1, 1) - timedelta(seconds=1)
        day = value.strip()
        try:  # a calendar day in ISO first: any year a bound may name (the corpus reader refuses implausible ones)
            d = datetime.fromisoformat(day).replace(tzinfo=None) if _ISO_DAY.match(day) else None
        except ValueError:
            d = None
        d = d or parse_date(value)
        if d is None:
            raise QueryError(f"cannot read the date {value!r} (use YYYY-MM-DD)")
        if end and (d.hour, d.minute, d.second) == (0, 0, 0):
            d = d.replace(hour=23, minute=59, second=59)
        return d
    raise QueryError(f"not a date: {value!r}")


class Index:
    """A searchkz index folder.

    >>> ix = Index("index")                       # doctest: +SKIP
    >>> ix.reindex("corpus")                      # doctest: +SKIP
    >>> [h.id for h in ix.search("қоғамдық кеңес")]   # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else default_index_path()
        self._ix = None
        self._gen = None
        self._searcher = None
        self._manifest = None
        self._kept = (None, False)  # (generation, its copy groups) kept past close(): same docnums

    # -- building --------------------------------------------------------
    def exists(self) -> bool:
        from searchkz.index import current_generation

        try:
            return current_generation(self.path) is not None
        except SearchkzError:
            return True  # present but damaged: let open() report it

    def reindex(
        self,
        corpus: str | os.PathLike | None = None,
        full: bool = False,
        procs: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        on_problem: Callable | None = None,
        lock_timeout: float | None = None,
    ) -> ReindexStats:
        """Index ``corpus`` (a folder of .txt/.jsonl files or one .jsonl file).

        Incremental by default: new files are added, changed ones updated,
        removed ones deleted.  ``full=True`` rebuilds from scratch.  Either way
        the new index is built beside the live one and swapped in atomically.
        """
        from searchkz.index import reindex

        corpus = Path(corpus) if corpus is not None else default_corpus_path()
        stats = reindex(
            self.path, corpus, full=full, procs=procs, progress=progress, on_problem=on_problem, lock_timeout=lock_timeout
        )
        self.close()
        return stats

    # -- reading ---------------------------------------------------------
    def _open(self):
        """The searcher of the live generation (reopened when a reindex swapped it)."""
        from searchkz.index import open_generation

        stamp = _current_stamp(self.path)
        if self._searcher is not None and stamp == self._stamp:
            return self._searcher
        self.close()
        for attempt in range(3):
            try:
                ix, gen, manifest = open_generation(self.path)
                try:
                    searcher = ix.searcher(weighting=_weighting())
                except Exception as exc:  # a truncated or garbled segment (EOFError, struct.error, ...)
                    raise _corrupt(self.path, gen, exc) from None
                break
            except IndexCorruptError:
                if attempt == 2:
                    raise
                _verify_live(self.path)  # damaged files: say so now, retrying cannot help
                time.sleep(0.05)  # a reindex may be swapping generations right now
        self._ix, self._gen, self._manifest, self._searcher, self._stamp = ix, gen, manifest, searcher, stamp
        if self._kept[0] == gen:  # (reopened after a partial search: the copy groups are read once a generation)
            searcher._searchkz_copies = self._kept[1]
        return searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._kept = (self._gen, getattr(self._searcher, "_searchkz_copies", False))
            try:
                self._searcher.close()
            except Exception:
                pass
            from searchkz.rank import release

            release(self._searcher)  # (a closed generation's files go with the close)
        self._searcher = None
        self._ix = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def search(
        self,
        query: str,
        limit: int = 10,
        since=None,
        until=None,
        snippets: bool = True,
        *,
        offset: int = 0,
        sort: str = "relevance",
        source: str | None = None,
        collapse: bool = True,
        timeout: float | None = None,
    ) -> SearchResult:
        """Rank documents for ``query``; see :mod:`searchkz.search` for the query language.

        ``sort``: ``"relevance"``, ``"date"`` (oldest first) or ``"-date"`` (newest first;
        undated articles last either way); ``offset``: hits skipped (paging; ``total``
        stays the number of all matching articles); ``source``: only this outlet's
        articles; ``collapse``: one article per group of copies (the best ranked, or the
        first in date order), the others listed in its ``Hit.copies``.  ``timeout``: the time
        budget in seconds (default :data:`~searchkz.bounds.DEFAULT_TIMEOUT`); a syntax query
        that runs past it stops and returns the hits found so far with ``partial`` set and a
        notice.  ``total`` is the number of distinct matching documents; ``groups`` the number of
        results the pages hold (``total`` with each group of copies counted once when ``collapse``).

        Raises :class:`~searchkz.errors.QueryError` for a query that cannot be
        run (the one exception type for bad queries).
        """
        from searchkz import explore
        from searchkz.bounds import time_budget
        from searchkz.search import add_learned_acronyms, build_query

        started = time.perf_counter()
        _check_count("limit", limit, 1)
        _check_count("offset", offset, 0)
        if sort not in explore.SORTS:
            raise QueryError(f"unknown sort {sort!r} (use {', '.join(explore.SORTS)})")
        _check_source(source)
        budget = time_budget(timeout)
        deadline = started + budget
        plan = build_query(query)
        searcher = self._open()
        add_learned_acronyms(plan, searcher.reader())  # the archive's own "full name (ACR)"
        dates = _date_filter(since, until)
        notices, partial = [], False
        try:
            copies = explore.copy_groups(searcher, self._gen)
            only = explore.source_docs(searcher, source) if source else None
            allowed = _allowed(searcher, dates, only, plan)
            notices = _prepare(searcher, plan)
            syntax: list = []  # (the syntax path's notices and whether it ran out of time)
            results, matches = _page(searcher, plan, allowed, offset, limit, sort, copies if collapse else None,
                                     (deadline, budget, syntax))
            if syntax:
                notices += syntax[0]
                partial = syntax[1]
        except QueryError:
            raise
        except Exception as exc:
            self._raise_if_corrupt()
            raise QueryError(f"cannot run query {query!r}: {exc}") from None
        hits = _make_hits(self._searcher, results, plan, snippets, offset, copies)
        total, groups = _counts(matches, len(hits) and offset + len(hits), copies if collapse else None,
                                searcher.doc_count())
        if partial:
            self.close()  # the budget interrupted Whoosh mid-read: the next search opens afresh
        res = SearchResult(hits, total=total, query=query, seconds=time.perf_counter() - started)
        res.groups = groups
        res.offset = offset
        if offset and not hits and groups:  # (said first: a partial search's notice stays the last)
            notices = [f"page {offset // limit + 1} (offset {offset}) is past the last of the {groups} results"] + notices
        res.notices, res.partial = notices, partial
        if plan.qwords and time.perf_counter() > deadline:
            res.notices.append(f"took {time.perf_counter() - started:.1f} s, past the time budget of "
                               f"{deadline - started:g} s (a free-text ranking is not stopped midway)")
        if res.total < SUGGEST_BELOW and snippets and not partial:  # snippets=False: batch runs, no suggestions
            res.suggestion = self.suggest(query)
        res.seconds = time.perf_counter() - started
        return res

    def suggest(self, query: str) -> str | None:
        """"Did you mean": the query with words the index lacks replaced by the indexed words
        they most likely stand for (a misspelling's nearest word, a word typed without Kazakh
        letters spelled with them), or None."""
        from searchkz.rank import ranker_for
        from searchkz.search import suggest

        searcher = self._open()
        try:
            return suggest(query, searcher.reader(), ranker_for(searcher))
        except QueryError:
            return None

    def _raise_if_corrupt(self) -> None:
        """After an unexpected error reading the index: raise IndexCorruptError if its files are damaged."""
        from searchkz.index import verify_generation

        if self._gen is not None:
            verify_generation(self._gen, self._manifest or {})

    def get(self, doc_id: str) -> Document | None:
        """The stored article with this id, or None."""
        from searchkz.index import unpack_text

        if not _is_id(doc_id):
            return None
        searcher = self._open()
        try:
            f = searcher.document(id=doc_id)
        except Exception as exc:
            self._raise_if_corrupt()
            raise _corrupt(self.path, self._gen, exc) from None
        if f is None:
            return None
        return Document(
            id=f["id"],
            title=f.get("title", ""),
            date=f.get("date"),
            text=unpack_text(f.get("text", b"")),
            source=f.get("source", ""),
            metadata=f.get("meta") or {},
            copies=_copies_of(searcher, self._gen, f["id"]),
        )

    def similar(self, doc_id: str, limit: int = 10) -> list:
        """The ``limit`` articles most similar to the article ``doc_id`` by its distinctive
        stems (:mod:`searchkz.similar`), best first, itself and its copies excluded; each a
        :class:`~searchkz.search.Hit` (its ``snippet`` the article's beginning).  Raises
        :class:`~searchkz.errors.DocumentNotFoundError` for an unknown id."""
        from searchkz.explore import copy_groups
        from searchkz.similar import similar_to

        _check_count("limit", limit, 1)
        if not _is_id(doc_id):
            raise DocumentNotFoundError(f"no article with id {doc_id!r} in {self.path}")
        searcher = self._open()
        copies = copy_groups(searcher, self._gen)
        best = similar_to(searcher, doc_id, limit, copies)
        if best is None:
            raise DocumentNotFoundError(f"no article with id {doc_id!r} in {self.path}")
        return _make_hits(searcher, [_RankedHit(searcher, d, s) for d, s in best], None, False, copies=copies)

    def facets(self, query: str, by: str = "month", since=None, until=None, source: str | None = None):
        """Articles matching ``query`` counted per period (``by``: day, week, month, year) or per
        outlet (``by="source"``): a :class:`~searchkz.explore.Facets`.  Every matching article
        counts (copies too); articles without a date are counted apart (``undated``).  The query is
        bounded as a search's is (its patterns' expansions capped, at most so many free-text words:
        the same matches, and ``notices`` say so)."""
        from searchkz import explore
        from searchkz.search import add_learned_acronyms, build_query

        if by not in explore.FACETS:
            raise QueryError(f"unknown facet {by!r} (use {', '.join(explore.FACETS)})")
        _check_source(source)
        plan = build_query(query)
        searcher = self._open()
        add_learned_acronyms(plan, searcher.reader())
        dates = _date_filter(since, until)
        try:
            notices = _bound(searcher, plan, query)
            allowed = _allowed(searcher, dates, explore.source_docs(searcher, source) if source else None, plan)
            docs, _scores = explore.all_matches(searcher, plan, allowed)
        except QueryError:
            raise
        except Exception as exc:
            self._raise_if_corrupt()
            raise QueryError(f"cannot run query {query!r}: {exc}") from None
        facets = explore.count_facets(searcher, docs, by)
        facets.notices = notices
        return facets

    def timeline(self, query: str, by: str = "month", since=None, until=None, source: str | None = None):
        """:meth:`facets` by a period (``by``: day, week, month or year)."""
        from searchkz.explore import PERIODS

        if by not in PERIODS:
            raise QueryError(f"unknown period {by!r} (use {', '.join(PERIODS)})")
        return self.facets(query, by=by, since=since, until=until, source=source)

    def highlight(self, text: str, query: str) -> list[tuple[int, int]]:
        """Offsets of the words of ``text`` that ``query`` matches (for showing whole articles)."""
        from searchkz.search import build_query, expand_highlight_terms, match_spans

        if not isinstance(text, str):
            raise QueryError(f"the text to highlight must be a string, not {type(text).__name__}")
        plan = build_query(query)
        searcher = self._open()
        if not plan.qwords:  # (a pattern highlights the terms a search of it reads)
            _bound(searcher, plan, query)
        expand_highlight_terms(plan, searcher.reader())
        return [(s, e) for s, e, _ in match_spans(text, plan, limit=None)]

    def doc_count(self) -> int:
        return self._open().doc_count()

    def stats(self) -> dict:
        """Documents, terms, size on disk, segments (and those without ranking arrays: an
        incremental update's), analyzer version, last reindex (:func:`searchkz.health.stats`)."""
        from searchkz.health import stats

        return stats(self)

    def check(self) -> list[str]:
        """Verify the index: it opens, its analyzer matches, every stored document is readable
        (:func:`searchkz.health.check`).  Returns the problems found (empty = healthy); a
        missing, foreign-version or unopenable index raises the matching
        :class:`~searchkz.errors.SearchkzError` (its message names the fix)."""
        from searchkz.health import check

        return check(self)


class _RankedHit:
    """One ranked document, shaped like a Whoosh hit for :func:`_make_hits`."""

    __slots__ = ("_searcher", "docnum", "score")

    def __init__(self, searcher, docnum: int, score: float) -> None:
        self._searcher, self.docnum, self.score = searcher, docnum, score

    def fields(self) -> dict:
        return self._searcher.stored_fields(self.docnum)


def _make_hits(searcher, results, plan, snippets: bool, offset: int = 0, copies=None) -> list:
    """:class:`~searchkz.search.Hit` objects of ranked ``results`` (objects with ``.docnum`` and
    ``.score``): stored fields, snippets of ``plan``'s words (``snippets``), copies."""
    from searchkz.search import Hit, expand_highlight_terms, hit_fields

    results = list(results)
    if snippets and results:  # (no hits: nothing to highlight, and an unbounded query's patterns unread)
        expand_highlight_terms(plan, searcher.reader())
    shown = plan if snippets else None
    made = [hit_fields(searcher, r.docnum, shown) for r in results]
    hits = []
    for rank, (r, (f, snippet, spans, tspans)) in enumerate(zip(results, made), offset + 1):
        others, group = copies.copies(r.docnum, f["id"]) if copies is not None else ([], None)
        hits.append(
            Hit(
                rank=rank,
                id=f["id"],
                title=f.get("title", ""),
                date=f.get("date"),
                score=float(r.score or 0.0),
                snippet=snippet,
                highlights=spans,
                title_highlights=tspans,
                source=f.get("source", ""),
                copies=others,
                group=group,
            )
        )
    return hits


def _allowed(searcher, dates, only, plan) -> np.ndarray | None:
    """A bool a document: what ``--since/--until`` (``dates``: first and last day, :func:`_date_filter`),
    an outlet's documents (``only``: a bool a document) and the query's excluded words (``-кеңес``)
    allow; None: every document."""
    import numpy as np

    from searchkz.rank import ranker_for

    masks = [only] if only is not None else []
    if dates is not None or plan.excluded:  # (a syntax query needs no ranker otherwise)
        ranker = ranker_for(searcher)
        if dates is not None:
            masks.append(ranker.day_mask(*dates))
        for group in plan.excluded:  # (an article with every word of one group: -кеңес, -"қоғамдық кеңес")
            masks.append(~np.logical_and.reduce([ranker.having(w) for w in group]))
    return np.logical_and.reduce(masks) if masks else None


def _counts(matches: np.ndarray, shown: int, copies, docs: int) -> tuple[int, int]:
    """Honest counts ``(total, groups)`` of a search: the distinct matching documents (never more
    than the index's ``docs``, never fewer than the hits ``shown`` up to this page's last) and
    the results the pages hold (each group of ``copies`` once; None: not collapsed)."""
    from searchkz.explore import shown_count

    total = min(max(len(matches), shown), docs)
    return total, min(max(shown_count(matches, copies), shown), total)


def _rank(searcher, plan, limit: int, allowed):
    from searchkz.rank import ranker_for

    ranker = ranker_for(searcher)
    ranked, matches = ranker.rank(plan.qwords, limit=limit, allowed=allowed)
    stems, exact = ranker.matched_terms(plan.qwords)
    plan.stems |= stems
    plan.exact |= exact
    return [_RankedHit(searcher, d, s) for d, s in ranked], matches


def _day(d: datetime | None) -> int | None:
    """Days since 1970-01-01 (as :mod:`searchkz.arrays` keeps each document's day)."""
    from searchkz.arrays import day_number

    return None if d is None else day_number(d)


def _page(searcher, plan, allowed, offset: int, limit: int, sort: str, copies, budget: tuple):
    """One page of hits (objects with ``docnum`` and ``score``) and the docnums of every match.
    ``budget``: ``(deadline, seconds, out)``; a syntax query appends its notices and whether the
    time ran out to ``out``."""
    from searchkz.explore import relevance_page

    if sort != "relevance":
        return _by_date(searcher, plan, allowed, offset, limit, sort, copies, budget)
    if plan.qwords:
        return relevance_page(lambda k: _rank(searcher, plan, k, allowed), offset, limit, copies)
    return relevance_page(lambda k: _syntax_top(searcher, plan, k, allowed, budget), offset, limit, copies)


def _syntax_top(searcher, plan, limit: int, allowed, budget: tuple):
    """The top of a syntax query (Whoosh's own scoring, bounded: :mod:`searchkz.bounds`) and the
    docnums of every match."""
    import numpy as np

    from searchkz.bounds import run_syntax

    deadline, seconds, out = budget
    allow = None if allowed is None else set(np.flatnonzero(allowed).tolist())
    hits, matches, notices, partial = run_syntax(searcher, plan, limit, allow, deadline, seconds)
    out[:] = [notices, partial]
    return [_RankedHit(searcher, d, s) for d, s in hits], matches


def _by_date(searcher, plan, allowed, offset: int, limit: int, sort: str, copies, budget: tuple):
    """One page of every match in date order (``sort``: ``"date"`` or ``"-date"``) and the docnums of every match."""
    from searchkz import explore
    from searchkz.rank import ranker_for

    if not plan.qwords:  # every match of a syntax query, bounded as its top would be
        _syntax_top(searcher, plan, 1, allowed, budget)
    docs, scores = explore.all_matches(searcher, plan, allowed)
    if plan.qwords:  # the terms to highlight, as _rank finds them
        stems, exact = ranker_for(searcher).matched_terms(plan.qwords)
        plan.stems |= stems
        plan.exact |= exact
    days = explore.doc_days(searcher)
    page, page_scores = explore.date_page(docs, scores, days, offset, limit, sort == "-date", copies)
    return [_RankedHit(searcher, int(d), float(s)) for d, s in zip(page, page_scores)], docs


def _bound(searcher, plan, query: str) -> list:
    """Bound a query as a search bounds it, for :meth:`Index.facets` and :meth:`Index.highlight`: at
    most so many free-text words, a syntax query respelled and its patterns capped; its notices."""
    from searchkz.bounds import DEFAULT_TIMEOUT, TimeUp, bound_query, cap_free_words

    if plan.qwords:
        return cap_free_words(searcher, plan)
    _respell(searcher, plan)
    try:
        plan.query, notices = bound_query(plan.query, searcher.reader(), time.perf_counter() + DEFAULT_TIMEOUT, searcher)
    except TimeUp:
        raise QueryError(f"the query {query!r} took longer than {DEFAULT_TIMEOUT:g} s to expand; "
                         "narrow its patterns") from None
    return notices


def _prepare(searcher, plan) -> list:
    """Ready a plan to run; its notices.  Free text (searchkz's own BM25F ranking): capped at its
    rarest words.  A syntax query: respelled (its bounds come when it runs)."""
    if plan.qwords:
        from searchkz.bounds import cap_free_words

        return cap_free_words(searcher, plan)
    _respell(searcher, plan)
    return []


def _respell(searcher, plan) -> None:
    """A syntax query's words typed without Kazakh letters or in Latin: also their indexed spellings."""
    from searchkz.rank import ranker_for
    from searchkz.search import respell_query

    respell_query(plan, ranker_for(searcher))


def _verify_live(path) -> None:
    """Raise IndexCorruptError if the live generation's files fail their checksums."""
    from searchkz.index import current_generation, read_manifest, verify_generation

    gen = current_generation(path)
    if gen is not None:
        verify_generation(gen, read_manifest(gen))


def _corrupt(path, gen, exc: Exception) -> IndexCorruptError:
    return IndexCorruptError(
        f"index {gen} cannot be read ({type(exc).__name__}: {exc}); rebuild with: searchkz reindex --full --index {path}"
    )


def _weighting():
    from whoosh import scoring

    from searchkz.search import BM25_B, BM25_K1

    return scoring.BM25F(B=BM25_B, K1=BM25_K1)
