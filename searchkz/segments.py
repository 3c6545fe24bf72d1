"""Writing new Whoosh segments fast: the full-reindex path.

Whoosh's ``SegmentWriter`` sends every posting through a pool of tuples that it
sorts (spilling runs to disk and merging them back), then hands them one by one
to the codec, looking up each posting's document length in the column it has
just written.  At ~500 postings an article that was most of a reindex's time.

:class:`FastSegmentWriter` is a ``SegmentWriter`` for a new segment that keeps
each term's postings in arrays (document numbers, frequencies, encoded
values) as documents are added, and at the end writes the terms in order, a
whole block of postings at a time, through the same W3 codec objects, so the
files are exactly what the incremental reindex's Whoosh writer writes (tests compare
every posting).  The searchkz text fields take their terms from
:meth:`KazakhAnalyzer.index_terms` (one analysis per text, no Token objects) and
their length from :meth:`KazakhAnalyzer.counted_length`; other fields go through
``field.index`` as in Whoosh.  Stored fields, lengths and columns use Whoosh's
per-document writer unchanged.

When its postings outgrow ``limitmb`` the process starts a new segment
(:func:`_index_units`), so memory stays bounded at any corpus size.

:func:`build` indexes a list of work units (a source file, or a batch of
articles read from a big JSONL file) on ``procs`` forked processes, each
writing its own segments; the parent only lists the files, collects what the
workers report (per-file ids and content hashes, problems, progress), drops
duplicate ids (the first one in corpus order is kept) and writes the table of
contents.
"""

from __future__ import annotations

import functools
import queue
import struct
import traceback
from array import array
from typing import Callable, Iterable

from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# A W3 postings writer's block buffer, as Whoosh 2.7's W3PostingsWriter keeps it
# (whoosh3 and whoosh-reloaded alike); without it postings go one by one.
_BLOCK_ATTRS = ("_ids", "_weights", "_values", "_minlength", "_maxlength", "_maxweight", "_blocklimit",
                "_write_block")


def _new_entry() -> tuple:
    """A term's postings: (docnums, weights, values, frequencies); see :class:`_Terms`."""
    return array("I"), array("f"), [], array("I")


class _Terms:
    """One field's postings: term -> (docnums, weights, values, frequencies).  The
    values (encoded positions) are a list of bytes, most of them shared (a posting
    with one position at position p has the same value as every other); for the
    Frequency format the value is the frequency, packed when written."""

    __slots__ = ("field", "fieldobj", "boost", "kind", "encode", "single", "terms", "lengths", "postings",
                 "value_bytes")

    def __init__(self, fieldname: str, fieldobj) -> None:
        from whoosh import formats

        fmt = fieldobj.format
        self.field = fieldname
        self.fieldobj = fieldobj
        self.boost = float(fmt.field_boost)
        size = fmt.fixed_value_size()
        if isinstance(fmt, formats.Positions) and type(fmt).word_values is formats.Positions.word_values:
            self.kind = "positions"  # values: the positions, variable size
        elif type(fmt) is formats.Frequency:
            self.kind = "frequency"  # values: the frequency, 4 bytes
        elif size == 0:
            self.kind = "none"  # no values (Existence: ID fields)
        else:
            self.kind = "generic"  # whatever field.index() gives, kept as it is
        self.encode = getattr(fmt, "encode", None)
        self.single: dict[int, bytes] = {}  # position -> the value of a one-position posting
        self.terms: dict = {}
        self.lengths = array("I")  # this field's length in each document of the segment
        self.postings = 0
        self.value_bytes = 0

    def entry(self, term):
        e = self.terms.get(term)
        if e is None:
            e = self.terms[term] = _new_entry()
        return e


class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for a fresh segment that writes postings a block at a time.

    Only adds documents: merging other segments in (``add_reader``) is Whoosh's
    job, so :meth:`commit` never merges.  Use :meth:`finish` to close the
    segment without a commit (a worker of :func:`build`).
    """

    def __init__(self, ix, **kwargs) -> None:
        from whoosh.filedb.filestore import RamStorage

        super().__init__(ix, **kwargs)
        self._fields: dict[str, _Terms] = {}
        self._days = array("i")  # each document's day (searchkz.arrays)
        self._pw_ok = None
        # Whoosh's writer empties "<indexname>.tmp" when it finishes, but the per-document
        # writers of every process keep their temporary files there (the pool that would
        # use it is never filled): leave it to :func:`build`, which removes it at the end.
        self._shared_temp = self._tempstorage
        self._tempstorage = RamStorage()

    # -- adding -----------------------------------------------------------

    def _terms_of(self, fieldname: str) -> _Terms:
        t = self._fields.get(fieldname)
        if t is None:
            t = self._fields[fieldname] = _Terms(fieldname, self.schema[fieldname])
        return t

    def add_document(self, **fields) -> None:
        from searchkz.analysis import KazakhAnalyzer

        self._check_state()
        schema = self.schema
        docnum = self.docnum
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw = self.perdocwriter
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    if field.vector or field.separate_spelling():
                        raise ValueError(f"field {name!r}: term vectors and spelling fields are not supported")
                    t = self._terms_of(name)
                    if isinstance(field.analyzer, KazakhAnalyzer) and t.kind in ("positions", "frequency"):
                        self._add_text(t, docnum, field.analyzer.index_terms(value))
                        length = field.analyzer.counted_length(value)  # (not the acronyms it adds)
                    else:
                        length = self._add_items(t, docnum, field.index(value), field.scorable)
                    if len(t.lengths) < docnum:  # documents without this field
                        t.lengths.extend([0] * (docnum - len(t.lengths)))
                    # what Whoosh's codec gives back for it: the length byte's length
                    t.lengths.append(byte_to_length(length_to_byte(length)) if length else 0)
                stored = fields.get("_stored_" + name, value)
                pdw.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(stored))
        except ValueError:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._days.append(stored_day(fields.get("date")))
        self._added = True
        self.docnum += 1

    @staticmethod
    def _add_text(t: _Terms, docnum: int, seq: list[tuple[str, int]]) -> None:
        terms = t.terms
        boost = t.boost
        if t.kind == "positions":
            poses: dict[str, list[int]] = {}
            for term, pos in seq:
                pl = poses.get(term)
                if pl is None:
                    poses[term] = [pos]
                else:
                    pl.append(pos)
            encode = t.encode
            single = t.single
            nbytes = 0
            for term, pl in poses.items():
                e = terms.get(term)
                if e is None:
                    e = terms[term] = _new_entry()
                e[0].append(docnum)
                if len(pl) == 1:  # most postings: one position, the same bytes every time
                    v = single.get(pl[0])
                    if v is None:
                        v = single[pl[0]] = encode(pl)
                    e[1].append(boost)
                else:
                    v = encode(pl)
                    e[1].append(len(pl) * boost)
                    nbytes += len(v) + 33
                e[2].append(v)
            t.value_bytes += nbytes
            t.postings += len(poses)
        else:
            freqs: dict[str, int] = {}
            for term, _pos in seq:
                freqs[term] = freqs.get(term, 0) + 1
            for term, f in freqs.items():
                e = terms.get(term)
                if e is None:
                    e = terms[term] = _new_entry()
                e[0].append(docnum)
                e[1].append(f * boost)
                e[3].append(f)
            t.postings += len(freqs)

    @staticmethod
    def _add_items(t: _Terms, docnum: int, items, scorable: bool) -> int:
        length = 0
        for tbytes, freq, weight, vbytes in items:
            docs, weights, values, freqs = t.entry(tbytes)
            docs.append(docnum)
            weights.append(weight)
            if t.kind == "frequency":
                freqs.append(freq)
            elif t.kind != "none":
                values.append(vbytes)
                t.value_bytes += len(vbytes) + 33
            if scorable:
                length += freq
            t.postings += 1
        return length

    def approx_bytes(self) -> int:
        """Roughly what the buffered postings take in memory."""
        return sum(t.postings * 16 + t.value_bytes + len(t.terms) * 400 for t in self._fields.values())

    def add_reader(self, reader):  # pragma: no cover - not a merging writer
        raise NotImplementedError("FastSegmentWriter only writes new documents")

    def commit(self, mergetype=None, optimize=None, merge=None):
        from whoosh.writing import NO_MERGE

        super().commit(mergetype=NO_MERGE)
        self._shared_temp.destroy()

    def finish(self):
        """Close the segment (postings, per-document files, compound file) and return it,
        without touching the index's table of contents; ``None`` if nothing was added."""
        self._check_state()
        try:
            if not self._added:
                self._close_segment()
                return None
            return self._finalize_segment()
        finally:
            self._finish()

    # -- writing ----------------------------------------------------------

    def _flush_segment(self):
        from searchkz import arrays

        self.perdocwriter.close()
        fw = self.fieldwriter
        ndocs = self.docnum  # (the segment's documents: postings are numbered from 0 in it)
        ranked = {}  # the ranked fields' terms, kept for the arrays (searchkz.arrays)
        for name in sorted(self._fields):
            t = self._fields[name]
            if not t.terms:
                continue
            fw.start_field(name, t.fieldobj)
            for term in sorted(t.terms):
                fw.start_term(term.encode("utf-8") if isinstance(term, str) else term)
                self._write_term(fw, t, t.terms[term])
                fw.finish_term()
            fw.finish_field()
            if name in arrays.FIELDS:
                ranked[name] = t.terms
            t.terms = {}  # free as we go
        fw.close()
        boosts = {name: self._fields[name].boost for name in ranked}
        lengths = {name: length_bytes(self._fields[name].lengths, ndocs) for name in ranked}
        f = self.newsegment.create_file(self.storage, arrays.EXT)
        try:
            arrays.write_arrays(f, ndocs, ranked, boosts, lengths, self._days)
        finally:
            f.close()

    def _write_term(self, fw, t: _Terms, e) -> None:
        """One term's postings, a block at a time into the W3 postings writer's buffer
        (or, with a codec that has none, one by one through ``FieldWriter.add``)."""
        docs, weights, values, freqs = e
        lengths = t.lengths
        kind = t.kind
        pw = getattr(fw, "_postwriter", None)
        if self._pw_ok is None:
            self._pw_ok = pw is not None and all(hasattr(pw, a) for a in _BLOCK_ATTRS)
        if not self._pw_ok:
            for d, w, v in zip(docs, weights, self._values(t, e)):
                fw.add(d, w, v, lengths[d])
            return
        n = len(docs)
        step = pw._blocklimit
        for start in range(0, n, step):
            end = min(n, start + step)
            ids = docs[start:end]
            ws = weights[start:end]
            ls = [lengths[d] for d in ids]
            nonzero = [x for x in ls if x]
            if kind == "positions":
                vals = values[start:end]
            elif kind == "frequency":  # 4-byte frequencies, joined as W3 joins fixed-size values
                vals = [_UINTS(end - start).pack(*freqs[start:end])]
            elif kind == "none":
                vals = []
            else:  # W3 keeps the non-empty values only
                vals = [v for v in values[start:end] if v]
            pw._ids = ids
            pw._weights = ws
            pw._values = vals
            pw._maxweight = max(max(ws), 0)
            pw._minlength = min(nonzero) if nonzero else None
            pw._maxlength = max(ls) if ls else 0
            if end < n:
                pw._write_block()
            # the last block stays buffered: finish_term() writes it as the last one

    @staticmethod
    def _values(t: _Terms, e) -> list[bytes]:
        """Each posting's value as the format encodes it."""
        docs, weights, values, freqs = e
        if t.kind == "frequency":
            return [_UINT.pack(f) for f in freqs]
        if t.kind == "none":
            return [b""] * len(docs)
        return values


_UINT = struct.Struct("!I")  # whoosh.system.pack_uint, the Frequency format's value


def stored_day(value) -> int:
    """A document's day as days since 1970-01-01 (``arrays.NO_DAY``: no date)."""
    from searchkz.arrays import NO_DAY, day_number

    return NO_DAY if value is None else day_number(value)


def length_bytes(lengths: array, n: int):
    """Whoosh's length byte of each of ``n`` documents' field lengths (0 past the last given)."""
    import numpy as np

    from searchkz.arrays import length_table

    table = length_table()
    out = np.zeros(n, dtype=np.uint8)
    got = np.frombuffer(lengths, dtype=np.uint32)[:n]
    out[: len(got)] = np.searchsorted(table, got)
    return out


@functools.lru_cache(maxsize=None)
def _UINTS(n: int) -> struct.Struct:
    return struct.Struct("!%dI" % n)


# -- building an index from work units -------------------------------------

#: Postings per W3 block (Whoosh's default: 128).  Reading a block costs some twenty
#: microseconds of Python calls whatever its size; at 100k articles, 1024 against 128 made
#: the index 18% smaller, the reindex ~10% faster and searches (ranked, and Whoosh's own
#: matchers for phrases and AND) ~10% faster; 4096 was no better (docs/ARCHITECTURE.md).
POSTING_BLOCK = 1024


def make_codec():
    """The codec searchkz writes segments with: Whoosh's W3 with :data:`POSTING_BLOCK` postings a block."""
    from whoosh.codec.whoosh3 import W3Codec

    return W3Codec(blocklimit=POSTING_BLOCK)


DEFAULT_LIMIT_MB = 640  # one segment per process for 100k articles on 2 processes, ~750 MB each


def _index_units(ix, units: Iterable, prepare: Callable, send: Callable, limitmb: float, wid: int = 0) -> dict:
    """Index each unit's documents (``prepare(unit) -> (docs, report)``, ``docs`` a
    list of ``(key, fields)``) into new segments, starting another one when the
    buffered postings pass ``limitmb``.  For every unit, ``send(("unit", unit[1],
    report, placed))`` where ``placed`` is ``[(key, (wid, segment number), docnum)]``.
    Returns ``{(wid, segment number): segment}``."""
    segments: dict = {}
    writer = None
    limit = limitmb * 1024 * 1024
    try:
        for unit in units:
            docs, report = prepare(unit)
            placed = []
            ref = (wid, len(segments))
            for key, fields in docs:
                if writer is None:
                    writer = FastSegmentWriter(ix, _lk=False, codec=make_codec())
                placed.append((key, ref, writer.docnum))
                writer.add_document(**fields)
            send(("unit", unit[1], report, placed))
            if writer is not None and writer.approx_bytes() > limit:
                full, writer = writer, None
                segments[ref] = full.finish()
        if writer is not None:
            last, writer = writer, None
            seg = last.finish()
            if seg is not None:
                segments[(wid, len(segments))] = seg
    finally:
        if writer is not None:
            writer.cancel()
    return segments


def _worker(ix, jobs, results, wid: int, prepare: Callable, limitmb: float, init: Callable | None) -> None:
    try:
        if init is not None:
            init()

        def units():
            while True:
                unit = jobs.get()
                if unit is None:
                    return
                yield unit

        segments = _index_units(ix, units(), prepare, results.put, limitmb, wid)
        results.put(("done", wid, segments))
    except BaseException as exc:  # reported to the parent, which stops the build
        results.put(("error", wid, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        results.close()
        results.join_thread()


class BuildError(RuntimeError):
    """A worker of :func:`build` failed or died (``args[1]``: the worker's traceback)."""

    def __str__(self) -> str:
        return str(self.args[0])


def build(ix, units: Iterable, prepare: Callable, on_unit: Callable, procs: int = 1,
          limitmb: float | None = None, init: Callable | None = None) -> dict:
    """Index ``units`` (tuples whose second item identifies them) into new
    segments of ``ix``, with ``procs`` forked worker processes (in this process
    when ``procs`` is 1 or the platform cannot fork).

    ``prepare(unit)`` runs in a worker (see :func:`_index_units`) and
    ``on_unit(unit_id, report, placed)`` here, as units complete.  ``init`` runs
    first in each worker.  Returns ``{ref: segment}`` for the ``ref`` of
    ``placed``: the caller may delete documents from them, then
    :func:`commit_segments`.  Units are fed from a thread, so ``units`` may be a
    generator that reads (e.g. a big file split into batches of documents).
    """
    import multiprocessing

    limitmb = limitmb or DEFAULT_LIMIT_MB
    try:
        if procs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return _index_units(ix, units, prepare, lambda msg: on_unit(*msg[1:]), limitmb)
        return _build_parallel(ix, units, prepare, on_unit, procs, limitmb, init)
    finally:
        ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()


def _build_parallel(ix, units, prepare, on_unit, procs, limitmb, init) -> dict:
    import multiprocessing
    import threading

    ctx = multiprocessing.get_context("fork")
    jobs = ctx.Queue(maxsize=procs * 4)
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(ix, jobs, results, w, prepare, limitmb, init), daemon=True)
               for w in range(procs)]
    for p in workers:
        p.start()
    feed_error: list = []
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                jobs.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def feed():
        try:
            for unit in units:
                if not put(unit):
                    return
        except BaseException as exc:  # re-raised by the main thread
            feed_error.append(exc)
        finally:
            for _ in workers:
                put(None)

    feeder = threading.Thread(target=feed, name="searchkz-feed", daemon=True)
    feeder.start()
    segments: dict = {}
    finished: set[int] = set()
    try:
        while len(finished) < len(workers):
            try:
                msg = results.get(timeout=0.5)
            except queue.Empty:
                dead = [p for w, p in enumerate(workers) if w not in finished and p.exitcode is not None]
                if dead:
                    raise BuildError(f"an indexing worker died (exit code {dead[0].exitcode})") from None
                continue
            if msg[0] == "unit":
                on_unit(*msg[1:])
            elif msg[0] == "done":
                finished.add(msg[1])
                segments.update(msg[2])
            else:
                raise BuildError(msg[2], msg[3])
        if feed_error:
            raise feed_error[0]
    except BaseException:
        stop.set()
        for p in workers:
            if p.is_alive():
                p.kill()
        raise
    finally:
        stop.set()
        feeder.join(5)
        for p in workers:
            p.join(5)
    return segments


def commit_segments(ix, segments: Iterable) -> None:
    """Make ``segments`` (written into ``ix``'s storage) the index's contents: a new
    table of contents after the existing segments."""
    from whoosh.index import TOC, clean_files

    old = TOC.read(ix.storage, ix.indexname)
    segs = list(old.segments) + [s for s in segments if s is not None]
    gen = old.generation + 1
    TOC(ix.schema, segs, gen).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, gen, segs)
