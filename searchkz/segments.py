"""Writing new Whoosh segments fast: the full-reindex path.

Whoosh's ``SegmentWriter`` sends every posting through a pool of tuples that it
sorts (spilling runs to disk and merging them back), then hands them one by one
to the codec, looking up each posting's document length in the column it has
just written.  At ~500 postings an article that was most of a reindex's time.

:class:`FastSegmentWriter` is a ``SegmentWriter`` for a new segment that appends
each document's postings to flat arrays, a row a posting (term number,
document, weight, frequency, value), and at the end sorts the rows by term
(numpy, stable: a term's documents stay in order) and writes the terms in
order, a whole block of postings at a time, through the same W3 codec objects,
so the files are exactly what the incremental reindex's Whoosh writer writes
(tests compare every posting).  The searchkz text fields take their terms from
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
from collections import Counter
from itertools import chain, repeat
from operator import itemgetter
from typing import Callable, Iterable

from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# A W3 postings writer's block buffer, as Whoosh 2.7's W3PostingsWriter keeps it
# (whoosh3 and whoosh-reloaded alike); without it postings go one by one.
_BLOCK_ATTRS = ("_ids", "_weights", "_values", "_minlength", "_maxlength", "_maxweight", "_blocklimit",
                "_write_block")


class _Vocab(dict):
    """term -> its number (in the order the terms were first seen)."""

    __slots__ = ()

    def __missing__(self, term) -> int:
        n = self[term] = len(self)
        return n


class _Terms:
    """One field's postings in the order they were added, a row each in flat arrays: the term's
    number in ``vocab``, the document, the weight, the frequency (Frequency format) and ``refs``,
    which value the posting has: for Positions a one-position posting's position (every posting
    with one position p has the same value, made when written), else ``-1 - i`` for
    ``values[i]``.  :meth:`sorted_postings` groups the rows by term for writing."""

    __slots__ = ("field", "fieldobj", "boost", "kind", "encode", "vocab", "tids", "docs", "weights", "freqs",
                 "refs", "values", "lengths", "value_bytes")

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
        self.vocab = _Vocab()
        self.tids = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.freqs = array("I")
        self.refs = array("i")
        self.values: list[bytes] = []
        self.lengths = array("I")  # this field's length in each document of the segment
        self.value_bytes = 0

    def sorted_postings(self) -> tuple:
        """``(the terms in order, each one's number of postings, the postings' documents, weights,
        frequencies and refs in term order)`` (frequencies and refs None when the format has none);
        the rows are given up as they are sorted."""
        import numpy as np

        names = sorted(self.vocab)
        rank = np.empty(len(names), dtype=np.uint32)
        rank[np.fromiter(map(self.vocab.__getitem__, names), dtype=np.int64, count=len(names))] = np.arange(
            len(names), dtype=np.uint32)
        key = rank[np.frombuffer(self.tids, dtype=np.uint32)]
        self.vocab, self.tids = _Vocab(), array("I")
        df = np.bincount(key, minlength=len(names))
        order = np.argsort(key, kind="stable")  # (a term's rows stay in document order)
        del key
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        self.docs = array("I")
        weights = np.frombuffer(self.weights, dtype=np.float32)[order]
        self.weights = array("f")
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)[order] if self.kind == "frequency" else None
        self.freqs = array("I")
        refs = np.frombuffer(self.refs, dtype=np.int32)[order] if len(self.refs) else None
        self.refs = array("i")
        return names, df, docs, weights, freqs, refs


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
        boost = t.boost
        if t.kind == "positions":
            terms: dict = {}  # term -> its positions
            for term, pos in seq:
                pl = terms.get(term)
                if pl is None:
                    terms[term] = [pos]
                else:
                    pl.append(pos)
            refs, weights, values = t.refs, t.weights, t.values
            nbytes = 0
            for pl in terms.values():
                if len(pl) == 1:  # most postings: one position
                    refs.append(pl[0])
                    weights.append(boost)
                else:
                    v = t.encode(pl)
                    values.append(v)
                    refs.append(-len(values))
                    weights.append(len(pl) * boost)
                    nbytes += len(v) + 33
            t.value_bytes += nbytes
        else:
            terms = Counter(map(_first, seq))  # term -> its frequency
            t.freqs.extend(terms.values())
            t.weights.extend([f * boost for f in terms.values()])
        t.tids.extend(map(t.vocab.__getitem__, terms))
        t.docs.extend(repeat(docnum, len(terms)))

    @staticmethod
    def _add_items(t: _Terms, docnum: int, items, scorable: bool) -> int:
        length = 0
        for tbytes, freq, weight, vbytes in items:
            t.tids.append(t.vocab[tbytes])
            t.docs.append(docnum)
            t.weights.append(weight)
            if t.kind == "frequency":
                t.freqs.append(freq)
            elif t.kind != "none":
                t.values.append(vbytes)
                t.refs.append(-len(t.values))
                t.value_bytes += len(vbytes) + 33
            if scorable:
                length += freq
        return length

    def approx_bytes(self) -> int:
        """Roughly what the buffered postings take in memory."""
        return sum(len(t.docs) * 16 + t.value_bytes + len(t.vocab) * 400 for t in self._fields.values())

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
        from searchkz import arrays, arraywriter

        self.perdocwriter.close()
        fw = self.fieldwriter
        ndocs = self.docnum  # (the segment's documents: postings are numbered from 0 in it)
        ranked = {}  # the ranked fields' arrays (searchkz.arraywriter)
        for name in sorted(self._fields):
            t = self._fields[name]
            if not t.vocab:
                continue
            names, df, docs, weights, freqs, refs = t.sorted_postings()
            fw.start_field(name, t.fieldobj)
            self._write_field(fw, t, names, df, docs, weights, freqs, refs)
            fw.finish_field()
            if name in arrays.FIELDS:
                ranked[name] = arraywriter.field_arrays(names, df, docs, weights, ndocs, t.boost)
        fw.close()
        boosts = {name: self._fields[name].boost for name in ranked}
        lengths = {name: length_bytes(self._fields[name].lengths, ndocs) for name in ranked}
        f = self.newsegment.create_file(self.storage, arrays.EXT)
        try:
            arraywriter.write_file(f, ndocs, ranked, boosts, lengths, self._days)
        finally:
            f.close()

    def _write_field(self, fw, t: _Terms, names, df, docs, weights, freqs, refs) -> None:
        """A field's terms and postings (:meth:`_Terms.sorted_postings`), a block at a time into
        the W3 postings writer's buffer (or, with a codec that has none, one by one through
        ``FieldWriter.add``); converted to lists :data:`CHUNK` postings at a time."""
        import numpy as np

        from searchkz.arraywriter import term_chunks

        lengths = np.frombuffer(t.lengths, dtype=np.uint32)
        pw = getattr(fw, "_postwriter", None)
        starts = [0] + np.cumsum(df).tolist()
        blocks = None
        table = self._value_table(t, refs)
        kind = t.kind
        j = 0  # the block number
        for c0, c1 in term_chunks(starts, CHUNK):
            p0, p1 = starts[c0], starts[c1]
            ids = docs[p0:p1].tolist()
            ws = weights[p0:p1].tolist()
            if kind == "frequency":
                vals = freqs[p0:p1].tolist()
            elif kind == "none":
                vals = None
            else:
                r = refs[p0:p1]
                vals = table[np.where(r >= 0, r, len(table) - len(t.values) - 1 - r)].tolist()
            for i in range(c0, c1):
                term = names[i]
                fw.start_term(term.encode("utf-8") if isinstance(term, str) else term)
                if self._pw_ok is None:  # (W3's block buffer is there once a term is started)
                    self._pw_ok = pw is not None and all(hasattr(pw, a) for a in _BLOCK_ATTRS)
                if self._pw_ok and blocks is None:
                    step = pw._blocklimit
                    maxweights, minlengths, maxlengths = blocks = _block_stats(df, starts, docs, weights, lengths,
                                                                               step)
                a, b = starts[i] - p0, starts[i + 1] - p0
                if not self._pw_ok:
                    for k in range(a, b):
                        v = _UINT.pack(vals[k]) if kind == "frequency" else b"" if kind == "none" else vals[k]
                        fw.add(ids[k], ws[k], v, int(lengths[ids[k]]))
                    fw.finish_term()
                    continue
                for s in range(a, b, step):
                    e = min(b, s + step)
                    if kind == "frequency":  # 4-byte frequencies, joined as W3 joins fixed-size values
                        pw._values = [_UINTS(e - s).pack(*vals[s:e])]
                    elif kind == "none":
                        pw._values = []
                    elif kind == "positions":
                        pw._values = vals[s:e]
                    else:  # W3 keeps the non-empty values only
                        pw._values = [v for v in vals[s:e] if v]
                    pw._ids = ids[s:e]
                    pw._weights = ws[s:e]
                    pw._maxweight = max(maxweights[j], 0)
                    pw._minlength = None if minlengths[j] == _NO_LENGTH else minlengths[j]
                    pw._maxlength = maxlengths[j]
                    j += 1
                    if e < b:
                        pw._write_block()
                # the last block stays buffered: finish_term() writes it as the last one
                fw.finish_term()
        t.values = []

    @staticmethod
    def _value_table(t: _Terms, refs):
        """The values the refs point to, as one object array: the value of one position p at
        [p] (Positions), then ``t.values``; None when the format has no values."""
        import numpy as np

        if refs is None:
            return None
        single = max(0, int(refs.max()) + 1) if t.kind == "positions" else 0
        return np.fromiter(chain((t.encode([p]) for p in range(single)), t.values), dtype=object,
                           count=single + len(t.values))


_UINT = struct.Struct("!I")  # whoosh.system.pack_uint, the Frequency format's value
_first = itemgetter(0)
_NO_LENGTH = 0xFFFFFFFF
CHUNK = 1 << 16  # postings converted to lists at a time (when a segment is written)


def _block_stats(df, starts: list[int], docs, weights, lengths, step: int) -> tuple[list, list, list]:
    """Each block's greatest weight, least non-zero length (:data:`_NO_LENGTH`: none) and greatest
    length, for the postings ``docs``/``weights`` of terms of ``df`` postings each, starting at
    ``starts``, in blocks of ``step`` postings from each term's start."""
    import numpy as np

    nb = (df + step - 1) // step
    first = np.cumsum(nb) - nb
    bstart = np.repeat(np.array(starts[:-1], dtype=np.int64) - step * first, nb) + step * np.arange(nb.sum())
    plen = lengths[docs]
    maxlengths = np.maximum.reduceat(plen, bstart).tolist()
    plen[plen == 0] = _NO_LENGTH
    return np.maximum.reduceat(weights, bstart).tolist(), np.minimum.reduceat(plen, bstart).tolist(), maxlengths


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
