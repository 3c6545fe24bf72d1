"""Exploring the matches of a query: every match, dates and outlets as arrays, pages in
relevance or date order with copies collapsed, and counts per period or outlet (facets).

The ranking core is reached through two wrappers only, :func:`all_matches` and
:func:`doc_days` (with :func:`doc_sources` and :func:`id_docnums`), so a new core
needs them re-pointed and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from searchkz.arrays import NO_DAY as UNDATED  # doc_days of an article without a date

PERIODS = ("day", "week", "month", "year")
FACETS = PERIODS + ("source",)
SORTS = ("relevance", "date", "-date")
FETCH_MARGIN_UPTO = 20  # with copies collapsed, a page of 10 fetches the top 20 at once
_EPOCH = date(1970, 1, 1)


# -- the wrappers over the ranking core ----------------------------------------


def all_matches(searcher, plan, allowed=None) -> tuple[np.ndarray, np.ndarray]:
    """``(docnums, scores)`` of every document matching a query plan (free text: BM25F before
    the title boost; a syntax query: scores 0), only those ``allowed`` (a bool a document) if given."""
    if plan.qwords:
        from searchkz.rank import ranker_for

        scores = ranker_for(searcher).scores(plan.qwords, allowed)
        docs = np.flatnonzero(scores != 0)
        return docs, scores[docs]
    docs = np.fromiter(searcher.docs_for_query(plan.query), dtype=np.intp)
    if allowed is not None:
        docs = docs[allowed[docs]]
    return docs, np.zeros(len(docs))


def _postings(searcher, fieldname: str, term) -> np.ndarray:
    from searchkz.rank import ranker_for

    term = term.decode("utf-8") if isinstance(term, bytes) else term
    return ranker_for(searcher).plist(fieldname, term)[0]


def doc_days(searcher) -> np.ndarray:
    """Each document's day (days since 1970-01-01; :data:`UNDATED` without a date), by docnum
    (the segments' arrays)."""
    from searchkz.rank import ranker_for

    return ranker_for(searcher).days()


def doc_sources(searcher) -> tuple[np.ndarray, list[str]]:
    """Each document's outlet as a code into the returned names (-1: none), by docnum (cached)."""
    hit = getattr(searcher, "_searchkz_sources", None)
    if hit is not None:
        return hit
    reader = searcher.reader()
    codes = np.full(reader.doc_count_all(), -1, dtype=np.int32)
    names = []
    for term in reader.lexicon("source"):
        name = term.decode("utf-8") if isinstance(term, bytes) else term
        if name:  # (no outlet: an empty term)
            codes[_postings(searcher, "source", term)] = len(names)
            names.append(name)
    searcher._searchkz_sources = (codes, names)
    return codes, names


def id_docnums(searcher, ids) -> dict[str, int]:
    """``{id: docnum}`` of the ids the index has."""
    out = {}
    for doc_id in ids:
        d = _postings(searcher, "id", doc_id)
        if len(d):
            out[doc_id] = int(d[0])
    return out


# -- filters -------------------------------------------------------------------


def source_docs(searcher, source: str) -> np.ndarray:
    """Documents from the outlet ``source`` (matched without regard to case or ``www.``): a bool
    a document."""
    from searchkz.outlet import normalize

    want = normalize(source).casefold()
    codes, names = doc_sources(searcher)
    wanted = [i for i, name in enumerate(names) if name.casefold() == want]
    return np.isin(codes, wanted) if wanted else np.zeros(len(codes), dtype=bool)


# -- copies --------------------------------------------------------------------


@dataclass
class CopyGroups:
    """The index's groups of copies (:mod:`searchkz.dedup`) by docnum."""

    groups: list[list[str]]  # ids, sorted
    group_of: np.ndarray  # docnum -> index into groups, -1 for an article without copies

    def of(self, docnum: int) -> int:
        return int(self.group_of[docnum])

    def copies(self, docnum: int, doc_id: str) -> tuple[list[str], str | None]:
        """The other ids of a document's group and the group's name (its first id), or ``([], None)``."""
        g = self.of(docnum)
        if g < 0:
            return [], None
        members = self.groups[g]
        return [m for m in members if m != doc_id], members[0]


def copy_groups(searcher, gen) -> CopyGroups | None:
    """The copy groups of the generation ``gen`` (None when it has none); cached with the searcher."""
    hit = getattr(searcher, "_searchkz_copies", False)
    if hit is not False:
        return hit
    from searchkz.dedup import load_groups

    groups = load_groups(gen) if gen is not None else []
    out = None
    if groups:
        where = id_docnums(searcher, [i for g in groups for i in g])
        group_of = np.full(searcher.reader().doc_count_all(), -1, dtype=np.int32)
        for gi, g in enumerate(groups):
            for doc_id in g:
                if doc_id in where:
                    group_of[where[doc_id]] = gi
        out = CopyGroups(groups, group_of)
    searcher._searchkz_copies = out
    return out


def shown_count(docs: np.ndarray, copies: CopyGroups | None) -> int:
    """How many results ``docs`` (distinct docnums) make with each group of copies shown once."""
    if copies is None or not len(docs):
        return len(docs)
    g = copies.group_of[docs]
    members = g[g >= 0]
    return len(docs) - len(members) + len(np.unique(members))


def first_of_groups(docs: np.ndarray, copies: CopyGroups | None) -> np.ndarray:
    """A mask over ``docs`` (in display order) keeping each group's first document only."""
    keep = np.ones(len(docs), dtype=bool)
    if copies is None or not len(docs):
        return keep
    g = copies.group_of[docs]
    members = np.flatnonzero(g >= 0)
    if len(members):
        _u, first = np.unique(g[members], return_index=True)
        keep[members] = False
        keep[members[first]] = True
    return keep


# -- pages ---------------------------------------------------------------------


def relevance_page(fetch, offset: int, limit: int, copies: CopyGroups | None):
    """``(hits, matches)`` of one page in relevance order.  ``fetch(k)`` ranks the top ``k``
    (objects with ``.docnum``) and returns them with the docnums of every match; with ``copies``
    only each group's best-ranked article is kept, fetching deeper until the page is full."""
    want = offset + limit
    # copies in the top would leave the page short: fetch a margin at once (a second, deeper
    # fetch costs a whole ranking, and past 20 hits the ranker adds feedback terms)
    k = want if copies is None else max(want, min(2 * want, FETCH_MARGIN_UPTO))
    while True:
        ranked, matches = fetch(k)
        ranked, total = list(ranked), len(matches)
        if copies is None:
            kept = ranked
        else:
            mask = first_of_groups(np.array([r.docnum for r in ranked], dtype=np.int64), copies)
            kept = [r for r, m in zip(ranked, mask) if m]
        if len(kept) >= want or len(ranked) >= total or len(ranked) < k:
            return kept[offset:want], matches
        k = min(max(2 * k, k + (want - len(kept)) * 4), max(total, want))


def date_order(docs: np.ndarray, scores: np.ndarray, days: np.ndarray, newest_first: bool) -> np.ndarray:
    """Positions of ``docs`` by day (undated last either way), ties by score, then docnum."""
    d = days[docs].astype(np.int64)
    undated = d == UNDATED
    key = np.where(undated, np.iinfo(np.int64).max, -d if newest_first else d)
    return np.lexsort((docs, -scores, key))


def date_page(docs, scores, days, offset: int, limit: int, newest_first: bool, copies: CopyGroups | None):
    """``(docnums, scores)`` of one page in date order (each group's first article with ``copies``)."""
    order = date_order(docs, scores, days, newest_first)
    docs, scores = docs[order], scores[order]
    if copies is not None:
        keep = first_of_groups(docs, copies)
        docs, scores = docs[keep], scores[keep]
    return docs[offset : offset + limit], scores[offset : offset + limit]


# -- facets --------------------------------------------------------------------


@dataclass
class Facets:
    """Matching articles counted per period (time order, empty periods between the first and
    the last included) or per outlet (by count); ``undated``: matches without a date;
    ``no_source``: matches without an outlet (counted per outlet only), so that the buckets and
    the one count apart add up to ``total`` either way."""

    by: str
    buckets: list[tuple[str, int]] = field(default_factory=list)
    undated: int = 0
    total: int = 0
    notices: list[str] = field(default_factory=list)  # (a query capped as a search caps it)
    no_source: int = 0

    def to_dict(self) -> dict:
        out = {
            "type": "facets",
            "by": self.by,
            "buckets": [{"key": k, "count": c} for k, c in self.buckets],
            "undated": self.undated,
            "total": self.total,
            "notices": list(self.notices),
        }
        if self.by == "source":
            out["no_source"] = self.no_source
        return out


def count_facets(searcher, docs: np.ndarray, by: str) -> Facets:
    """Count matching ``docs`` per period (``by`` in :data:`PERIODS`) or per outlet."""
    if by == "source":
        codes, names = doc_sources(searcher)
        c = codes[docs]
        counts = np.bincount(c[c >= 0], minlength=len(names))
        buckets = sorted(((names[i], int(n)) for i, n in enumerate(counts) if n), key=lambda x: (-x[1], x[0]))
        return Facets(by, buckets, 0, int(len(docs)), no_source=int(np.count_nonzero(c < 0)))
    days = doc_days(searcher)[docs]
    dated = days[days != UNDATED].astype(np.int64)
    out = Facets(by, [], int(len(docs) - len(dated)), int(len(docs)))
    if not len(dated):
        return out
    keys, label = _period_keys(dated, by)
    lo = int(keys.min())
    counts = np.bincount(keys - lo)
    out.buckets = [(label(lo + i), int(n)) for i, n in enumerate(counts)]
    return out


def _period_keys(days: np.ndarray, by: str):
    """Each day's period as an int and the function naming a period."""
    if by == "day":
        return days, lambda k: (_EPOCH + timedelta(days=k)).isoformat()
    if by == "week":  # ISO weeks, from Monday (1970-01-01 was a Thursday)
        def week(k: int) -> str:
            y, w, _ = (_EPOCH + timedelta(days=7 * k - 3)).isocalendar()
            return f"{y}-W{w:02d}"

        return (days + 3) // 7, week
    d = days.astype("datetime64[D]")
    if by == "month":
        return d.astype("datetime64[M]").astype(np.int64), lambda k: f"{1970 + k // 12}-{k % 12 + 1:02d}"
    if by == "year":
        return d.astype("datetime64[Y]").astype(np.int64), lambda k: str(1970 + k)
    raise ValueError(by)
