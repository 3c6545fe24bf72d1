"""The incremental reindex's writer: Whoosh's own ``SegmentWriter`` (it deletes, and merges
small segments into the one it writes), which also writes the ranking arrays
(:mod:`searchkz.arrays`) of that segment, so an update's segment is ranked from arrays
like the full reindex's, not read a posting at a time.

The ranked fields' postings are collected as Whoosh's pool hands them, sorted, to the
codec; the field lengths and days are read back from the segment's per-document files.
"""

from __future__ import annotations

from array import array

from whoosh.writing import SegmentWriter

from searchkz import arrays, arraywriter


def merge_small(writer, segments):
    """Whoosh's ``MERGE_SMALL`` policy over the segments that still have a live document: a
    segment whose documents were all deleted (an updated article's old segment) is dropped
    now, not read by every search until five small segments make Whoosh merge them."""
    from whoosh.writing import MERGE_SMALL

    return MERGE_SMALL(writer, [seg for seg in segments if seg.doc_count() > 0])


class UpdateWriter(SegmentWriter):
    """``SegmentWriter`` that writes the arrays of the segment it makes and, by default, commits
    with :func:`merge_small`; a searchkz text field's length is the analyzer's
    :meth:`~searchkz.analysis.KazakhAnalyzer.counted_length`, as the full reindex writes it
    (Whoosh counts every term, the acronyms of full names too)."""

    def add_document(self, **fields):
        from searchkz.analysis import KazakhAnalyzer

        pdw = self.perdocwriter
        add_field = pdw.add_field

        def add_counted(name, field, stored, length):
            analyzer = getattr(field, "analyzer", None)
            if length and isinstance(analyzer, KazakhAnalyzer):
                length = analyzer.counted_length(fields[name])
            add_field(name, field, stored, length)

        pdw.add_field = add_counted
        try:
            super().add_document(**fields)
        finally:
            del pdw.add_field

    def commit(self, mergetype=None, optimize=None, merge=None):
        if mergetype is None and optimize is None and merge is None:
            mergetype = merge_small
        super().commit(mergetype=mergetype, optimize=optimize, merge=merge)

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.codec.per_document_reader(self.storage, self.get_segment())
        ranked: dict[str, dict] = {name: {} for name in arrays.FIELDS if name in self.schema}

        def collect(items):
            for item in items:  # (field, term bytes, docnum, weight, value)
                terms = ranked.get(item[0])
                if terms is not None:
                    e = terms.get(item[1])
                    if e is None:
                        e = terms[item[1]] = (array("I"), array("f"))
                    e[0].append(item[2])
                    e[1].append(item[3])
                yield item

        try:
            self.fieldwriter.add_postings(self.schema, pdr if self.codec.length_stats else None,
                                          collect(self.pool.iter_postings()))
            self.fieldwriter.close()
            self._write_arrays(pdr, {name: terms for name, terms in ranked.items() if terms})
        finally:
            pdr.close()

    def _write_arrays(self, pdr, ranked: dict) -> None:
        from searchkz.segments import stored_day, length_bytes

        n = self.docnum
        boosts = {name: float(self.schema[name].format.field_boost) for name in ranked}
        lengths = {name: length_bytes(array("I", (pdr.doc_field_length(d, name, 0) or 0 for d in range(n))), n)
                   for name in ranked}
        days = array("i", (stored_day(pdr.stored_fields(d).get("date")) for d in range(n)))
        f = self.newsegment.create_file(self.storage, arrays.EXT)
        try:
            arraywriter.write_arrays(f, n, ranked, boosts, lengths, days)
        finally:
            f.close()
