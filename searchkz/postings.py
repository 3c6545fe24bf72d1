"""Reading one segment's ranking data: its arrays (:mod:`searchkz.arrays`) or, for a segment
without them (an incremental update's, written by Whoosh's own writer), its Whoosh postings.

A :class:`Segment` answers in the index's document numbers (the segment's offset
added) and leaves deleted documents out.
"""

from __future__ import annotations

import numpy as np

from searchkz.arrays import NO_DAY, day_number, length_table, open_arrays

EMPTY = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float64))


class Segment:
    """One segment of an open index: ``sub`` its Whoosh reader, ``offset`` its first document number."""

    def __init__(self, sub, offset: int, gen=None) -> None:
        self.sub = sub
        self.offset = offset
        self.n = sub.doc_count_all()
        self.arrays = open_arrays(sub, gen)
        self.live = None  # a bool a document: False where deleted (None: nothing deleted)
        if sub.has_deletions():
            deleted = getattr(sub, "deleted_docs_set", None)  # (whoosh3; else the live ones, Whoosh 2.7)
            if deleted is not None:
                self.live = np.ones(self.n, dtype=bool)
                self.live[np.fromiter(deleted, dtype=np.intp, count=len(deleted))] = False
            else:
                self.live = np.zeros(self.n, dtype=bool)
                self.live[np.fromiter(sub.all_doc_ids(), dtype=np.intp)] = True

    @property
    def dead(self) -> np.ndarray:
        """The deleted documents, in the index's numbers."""
        return np.flatnonzero(~self.live) + self.offset if self.live is not None else EMPTY[0]

    def _field(self, fieldname: str):
        return self.arrays.fields.get(fieldname) if self.arrays is not None else None

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """``(document numbers, weights)`` of the term's live postings here."""
        fa = self._field(fieldname)
        if fa is None:
            return self._whoosh_postings(fieldname, term)
        i = fa.find(term)
        return self._live(*fa.postings(i)) if i >= 0 else EMPTY

    def _live(self, ids: np.ndarray, ws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Postings of the segment's arrays in the index's numbers, deleted documents left out."""
        if self.live is not None:
            keep = self.live[ids]
            ids, ws = ids[keep], ws[keep]
        return ids + self.offset, ws

    def _whoosh_postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        try:
            m = self.sub.postings(fieldname, term.encode("utf-8"))  # (deleted documents left out)
        except Exception:  # not in the field (Whoosh raises TermNotFound)
            return EMPTY
        got, weights = [], []
        while m.is_active():
            got.append(m.id())
            weights.append(m.weight())
            m.next()
        return np.array(got, dtype=np.intp) + self.offset, np.array(weights, dtype=np.float64)

    def add(self, fieldname: str, term: str, factor: float, acc: np.ndarray, hit: np.ndarray | None) -> int:
        """``acc[d] += factor · weight`` for the term's postings here (``acc``: an array of the
        index's documents; ``hit``: set True where the term is).  A long list stored as a bitmap
        is added densely over the segment's slice (``+ 0.0`` where the term is absent: the same
        numbers), a short one posting by posting.  Deleted documents may be added too: the caller
        clears them (:attr:`dead`), once for all its terms, instead of every list being filtered.
        Returns the number of postings read."""
        fa = self._field(fieldname)
        got = None
        if fa is None:
            ids, ws = self._whoosh_postings(fieldname, term)
        else:
            i = fa.find(term)
            if i < 0:
                return 0
            got = fa.dense(i)
            if got is None:
                ids, ws = fa.postings(i)
                ids += self.offset
        if got is None:
            if len(ids):
                acc[ids] += ws if factor == 1.0 else factor * ws
                if hit is not None:
                    hit[ids] = True
            return len(ids)
        bits, ws = got
        part = slice(self.offset, self.offset + self.n)
        acc[part] += ws if factor == 1.0 else factor * ws
        if hit is not None:
            hit[part] |= bits
        return int(fa.df[i])

    def df(self, fieldname: str, term: str) -> int:
        """Documents with the term here, deleted ones counted (0: not here)."""
        fa = self._field(fieldname)
        if fa is not None:
            i = fa.find(term)
            return int(fa.df[i]) if i >= 0 else 0
        try:
            return self.sub.doc_frequency(fieldname, term.encode("utf-8"))
        except Exception:
            return 0

    def live_terms(self, fieldname: str) -> list[bytes]:
        """The field's terms here (UTF-8) that a live document has: Whoosh keeps the terms of the
        deleted documents until their segment is merged away."""
        fa = self._field(fieldname)
        if fa is not None:
            every = fa.terms.all()
            if self.live is None:
                return every
            return [t for t, keep in zip(every, fa.with_live(self.live).tolist()) if keep]
        deleted = self.n - int(self.live.sum()) if self.live is not None else 0
        return [t.encode("utf-8") for t, df in self._walk_terms(fieldname, "")
                if df > deleted or len(self._whoosh_postings(fieldname, t)[0])]

    def prefixed(self, fieldname: str, prefix: str) -> list[str]:
        """The field's terms here that begin with ``prefix``, in order."""
        return [t for t, _n in self.term_counts(fieldname, prefix)]

    def term_counts(self, fieldname: str, prefix: str = ""):
        """``(term, documents with it, deleted ones counted)`` of the field's terms here that begin
        with ``prefix``, in order."""
        fa = self._field(fieldname)
        if fa is not None:
            i, j = fa.prefixed(prefix)
            return zip(map(fa.term, range(i, j)), fa.df[i:j].tolist())
        return self._walk_terms(fieldname, prefix)

    def _walk_terms(self, fieldname: str, prefix: str):
        try:
            if not prefix and getattr(self.sub.schema[fieldname], "unique", False):  # (ids: one document
                for t in self.sub.lexicon(fieldname):  # a term, and the lexicon reads twice as fast)
                    yield t.decode("utf-8") if isinstance(t, bytes) else str(t), 1
                return
            items = self.sub.iter_prefix(fieldname, prefix) if prefix else self.sub.iter_field(fieldname)
            for t, info in items:
                yield t.decode("utf-8") if isinstance(t, bytes) else str(t), info.doc_frequency()
        except Exception:  # no such field in this segment (Whoosh: KeyError, TermNotFound)
            return

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        return next(iter(self.term_counts(fieldname, prefix)), None) is not None

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's field length, as Whoosh's length byte gives it back."""
        fa = self._field(fieldname)
        if fa is not None:
            return length_table()[fa.lengths].astype(np.float64)
        length = self.sub.doc_field_length
        return np.array([length(d, fieldname, 0) or 0 for d in range(self.n)], dtype=np.float64)

    def live_length(self, fieldname: str) -> float:
        """The field's total length over the live documents here.  Whoosh's total is exact but still
        counts deleted documents until their segment is merged away; their share is taken off by the
        documents' length bytes (a byte rounds a length, so the share, not their rounded sum)."""
        try:
            total = float(self.sub.field_length(fieldname))
        except Exception:
            return 0.0
        if self.live is None or not total:
            return total
        lengths = self.lengths(fieldname)
        every = lengths.sum()
        return total * lengths[self.live].sum() / every if every else total

    def days(self) -> np.ndarray:
        """Each document's day (days since 1970-01-01, ``NO_DAY``: undated)."""
        if self.arrays is not None:
            return self.arrays.days
        out = np.full(self.n, NO_DAY, dtype=np.int32)
        for d in range(self.n):
            if self.live is None or self.live[d]:
                value = self.sub.stored_fields(d).get("date")
                if value is not None:
                    out[d] = day_number(value)
        return out


def segments_of(reader) -> list[Segment]:
    """The open reader's segments (made once per reader: mapping a segment's arrays costs a read
    of its header)."""
    segs = getattr(reader, "_searchkz_segments", None)
    if segs is None:
        try:
            leaves = list(reader.leaf_readers())
        except Exception:
            leaves = [(reader, 0)]
        segs = [Segment(sub, offset) for sub, offset in leaves]
        reader._searchkz_segments = segs
    return segs


def release_segments(reader) -> None:
    """Drop the segments :func:`segments_of` kept on a closed reader (and their mapped arrays)."""
    reader.__dict__.pop("_searchkz_segments", None)
