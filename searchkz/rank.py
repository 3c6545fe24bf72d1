"""Ranking of free-text queries: BM25F over each query word's evidence, computed from postings.

A free-text query is a list of content words (:class:`QueryWord`, question and
function words already dropped by :mod:`searchkz.search`).  Each word is looked
up under one or more *readings*: the word as typed (weight 1) and, for a word
typed without Kazakh letters or transliterated from Latin, the spellings of it
that the index actually has (:meth:`Ranker.respellings`: ``когамдык`` →
``қоғамдық``, ``poemalary`` → ``поэмалары``, ``Versal`` → ``Версаль``), weighted by
how much more common they are than the typed form, at most ``respell_max`` so
that exact matches of what was typed stay first.  Per reading a word has
evidence in a document from

* its stem (and its surface form, in case the stemmer cut it differently) in
  ``title`` (times ``title_weight``) and ``body``;
* its normalized form in ``exact`` (the same form as typed: ``exact_weight`` on top);
* indexed words sharing its first ``prefix_len`` letters whose stem is none of its
  stems, times ``prefix_weight`` (a safety net for stems the stemmer did not reduce
  alike: it is what a 5-letter truncation baseline gets right).  Words with one of
  its stems are already counted by ``body``, so their postings are not read
  (``prefix_other_stems``; identical KazQAD scores to subtracting them, and ~20%
  less search time at 100k articles).

(There is no folded-spelling field: a word typed without Kazakh letters is found
through its respellings; the field it replaced measured no gain, KazQAD
"nokazakh" MRR@10 0.7753 with it, 0.7759 without.)

The evidence is summed into one pseudo term frequency (each part normalized by
its field's length, as in BM25F), saturated once with ``k1`` and multiplied by
the word's IDF (over the documents any of its evidence matches) raised to
``idf_power`` (questions are verbose: the rare words must carry them).  A
document's score is the sum over words (a ranked OR: documents with more and
rarer query words first; ``coord_power`` can add an explicit coordination
factor, it measured no gain).  The top ``title_depth`` documents then get
``× (1 + title_cover · c²)`` where ``c`` is the share of their title's words the
query names ("Дулат Бабатайұлы қай жылдарды өмір сүрген?" → the article
"Дулат Бабатайұлы").

A list deeper than ``fb_keep`` (20) documents — an evaluation run, a deep page,
never the usual 10 hits — keeps its first ``fb_keep`` in that order and
continues with the other documents ranked by the query expanded with pseudo-
relevance feedback (RM-style stems of the top ``fb_docs`` passages, only stems
in at most ``fb_max_df`` of the documents, at most ``fb_max_postings``: bounded
cost at any index size).  Feedback moved MRR down when it touched the top; at the
deep end it finds passages that share no word with the question (KazQAD dev:
Recall@100 0.9605 -> 0.9720 with MRR@10 unchanged, both halves of the queries).

Whoosh's matcher tree computes the same kind of sum an order of magnitude
slower in pure Python; reading each posting list once (one read of its bytes,
parsed a block at a time: :func:`_parse_list`) without unpickling the positions
stored with it (:func:`_decode_block`), into arrays (cached per searcher) and
summing with dicts keeps a 274-question batch to a few seconds.

A short list (the usual top 10: the first ``title_depth`` before the title
boost) is found with exact MaxScore pruning (:meth:`Ranker._top_pruned`): a
word's score is below ``idf · (k1 + 1)``, so once the words scored so far put
the 100th best sum above the bounds of the words left, those words (the common,
low-IDF ones, which match most documents) are looked up only for the few
documents that can still reach the top, by binary search in their posting
lists.  Scores, order and the number of matches are those of scoring every
document (the same sums in the same order: tests/test_rank_pruning.py).  Every
posting list is still read whole (the IDF of a word is over the union of its
lists, and the number of matches over all of them): at 100k articles a common
word matches tens of thousands of documents (see README, Measurements).

When the words match many documents (``BOUND_MIN``) and their scores are flat
(MaxScore then prunes little: every common word is essential), the short list
is found through bounds instead (:meth:`Ranker._top_bounded`), in C-level byte
operations rather than a dict update a posting: each long list is kept dense,
a byte a document of the slice (:meth:`Ranker.dense`, stored by the reindex:
:mod:`searchkz.planes`); a word's body-side evidence is summed in twentieths, a
byte a document saturating at 255 (ints added lane by lane), cut to a level
(5 bits) under the document's length class (3 bits), and ``bytes.translate``
turns that byte into the word's score bounded from above and below in whole
units.  The words' bytes add up as ints; the k-th largest lower bound leaves a
few hundred candidates of tens of thousands of matches, scored exactly with
the same additions in the same order, so this too is exact to the bit.
"""

from __future__ import annotations

import heapq
import math
import pickle
import re
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import add

from searchkz.planes import open_planes, plane_of, whole_bytes


@dataclass
class RankParams:
    k1: float = 1.2
    b_body: float = 0.75
    b_title: float = 0.8  # 0.5 -> 0.8: +0.0006 / +0.0013 MRR@10 on the two halves of KazQAD dev (noise level)
    title_weight: float = 2.0
    exact_weight: float = 0.35
    prefix_weight: float = 0.3
    prefix_len: int = 5
    prefix_other_stems: bool = True
    coord_power: float = 0.0
    surface_as_stem: bool = True
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
    weight: float = 1.0
    unfold: set = field(default_factory=set)  # typed forms without Kazakh letters: look up how they are spelled with them
    latin: set = field(default_factory=set)  # forms transliterated from Latin: look up their ambiguous letters


def _block_matcher_type():
    """Whoosh's W3 posting matcher when it has the block internals :func:`_read_blocks` reads (else None)."""
    try:
        from whoosh.codec.whoosh3 import W3LeafMatcher
    except Exception:  # another Whoosh: the per-posting path
        return None
    needed = ("_read_data", "_next_block", "_goto")  # _read_data: the block layout _decode_block reads
    return W3LeafMatcher if all(hasattr(W3LeafMatcher, a) for a in needed) else None


_BLOCK_MATCHER = _block_matcher_type()


#: Where a W3 block's pickled values (positions, frequencies) begin: protocol 2 pickles each
#: ``bytes`` as a call of ``_codecs.encode``, a sequence no pickled int or float contains.
_VALUES_MARK = b"c_codecs\nencode\n"
#: Closes a cut-off block pickle after its document numbers and weights: TUPLE2, STOP.
_TUPLE2_STOP = b"\x86."
#: The tag a W3 posting list begins with (whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC).
_W3_MAGIC = b"W3Bl"
_BLOCK_LENGTH = struct.Struct("!i")  # a block's byte length, negative for the last block

# -- the bounded top k (Ranker._top_bounded): byte planes, a byte a document, C-level ops --------
#: Body-side evidence is counted in twentieths (the factors 1, 0.35 and 0.3 are whole numbers of them).
_UNITS = 20
#: Levels of a word's body-side evidence (in twentieths, 0-255; 255: that much or more): level i
#: holds [_LEVELS[i], _LEVELS[i + 1]).  Fine where a word's usual counts fall.
_LEVELS = (0, 1, 6, 7, 12, 13, 14, 18, 20, 21, 26, 27, 28, 33, 34, 40, 41, 47, 54, 60, 67, 74, 81, 90, 100,
           115, 130, 150, 175, 200, 230, 255)
_LEVEL_OF = bytes(bisect_right(_LEVELS, v) - 1 for v in range(256))  # evidence byte -> level (5 bits)
_CLASSES = 8  # length classes (3 bits): a level and a class make one byte
_NONZERO_1 = bytes([0] + [1] * 255)
_AT_LEAST = [bytes(int(v >= t) for v in range(256)) for t in range(256)]  # t -> v >= t as 1 or 0
_BELOW = [bytes(range(t)) for t in range(256)]  # t -> the byte values under t
_AT_MOST = [bytes(min(v, t) for v in range(256)) for t in range(256)]  # t -> min(v, t)
_ONE = re.compile(b"\x01")


_TIMES: dict[int, bytes] = {}


def _times(m: int) -> bytes:
    """A translate table: a weight byte times ``m`` (a factor in twentieths), at most 255."""
    table = _TIMES.get(m)
    if table is None:
        table = _TIMES[m] = bytes(min(m * v, 255) for v in range(256))
    return table


def _count_at_least(plane: bytes, t: int) -> int:
    """How many bytes of ``plane`` are at least ``t``."""
    return len(plane.translate(None, _BELOW[t]))  # (the others deleted: one C pass, no int)


def _decode_block(raw, n: int, compression: int) -> tuple:
    """``(document numbers, weights)`` of one W3 block's data (``n`` postings), as Whoosh pickled them.

    A block is one pickle of ``(ids, weights, values)``; the values (a body or title
    block's positions: a ``bytes`` object a posting, each unpickled through a call of
    ``_codecs.encode``) are ~90% of the unpickling time and the ranking never uses
    them.  The pickle is cut where they begin and closed as a pair; anything other
    than a pair of the block's document numbers and weights falls back to
    unpickling the whole block.
    """
    b = raw
    if compression:
        # the ids and weights come first: at most 5 + 9 pickled bytes a posting
        b = zlib.decompressobj().decompress(raw, 14 * n + 32)
    cut = b.find(_VALUES_MARK)
    if cut > 0:
        if b[cut - 1] == 40:  # "(": the MARK of a tuple of values
            cut -= 1
        try:
            ids, w = pair = pickle.loads(b[:cut] + _TUPLE2_STOP)
            if type(ids) is tuple and len(ids) == n and type(ids[0]) is int and (
                w is None or type(w) is float or (type(w) is tuple and len(w) == len(ids))
            ):
                return pair
        except Exception:
            pass
    data = pickle.loads(zlib.decompress(raw) if compression else raw)
    return data[0], data[1]


def _block_ids_weights(m) -> tuple:
    """:func:`_decode_block` of the block a W3 matcher is on."""
    raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
    return _decode_block(raw, m._blocklength, m._compression)


def _append_block(docs: list, w, n: int, ids: array, ws: array) -> None:
    """Append a decoded block (``docs``: its document numbers; ``w``: its weights as Whoosh minified them)."""
    ids.fromlist(docs)  # (fromlist: faster than extend)
    if w is None:
        ws.fromlist([1.0] * n)
    elif isinstance(w, float):
        ws.fromlist([w] * n)
    elif type(w) is tuple:
        ws.fromlist(list(w))
    elif getattr(w, "typecode", None) == "f":
        ws.extend(w)
    else:
        ws.fromlist(list(map(float, w)))


def _parse_list(buf: bytes, ids: array, ws: array, offset: int = 0) -> bool:
    """Append every posting of a whole W3 posting list (``buf``: its bytes, the extent of its
    term info) to ``ids``/``ws``; False (nothing appended) if ``buf`` is not laid out as expected.

    A list is the tag, then blocks: a signed length (negative: the last block), the
    pickled block header ``(postings, last id, max weight, compression, min length,
    max length)`` and the block's data.  Read from one ``bytes`` this is a few calls a
    block; through Whoosh's matcher each block header is unpickled from the file, about
    twenty small reads.  The header's end is where its pickle (protocol 2 of ints and a
    float, as W3 wrote it) pickles to again.
    """
    if buf[:4] != _W3_MAGIC:
        return False
    view = memoryview(buf)
    end = len(buf)
    pos = 4
    unpack = _BLOCK_LENGTH.unpack_from
    loads, dumps = pickle.loads, pickle.dumps
    blocks = []
    try:
        while True:
            (length,) = unpack(buf, pos)
            last = length < 0
            start = pos + 4
            pos = start + (-length if last else length)
            if pos > end:
                return False
            info = loads(view[start:pos])
            n, _maxid, _maxw, comp, _mn, _mx = info
            data = start + len(dumps(info, 2))
            if buf[data - 1] != 46 or buf[data] != (120 if comp else 128):  # STOP; zlib's or pickle's first byte
                return False
            blocks.append((buf[data:pos], n, comp))
            if last:
                break
    except Exception:  # not a W3 list after all
        return False
    if pos != end:
        return False
    for raw, n, comp in blocks:
        d, w = _decode_block(raw, n, comp)
        docs = list(accumulate(d, initial=offset))  # the numbers are deltas; twice as fast as mapping
        del docs[0]  # an addition of the offset over them
        _append_block(docs, w, n, ids, ws)
    return True


def _read_blocks(m, ids: array, ws: array, offset: int = 0) -> None:
    """Append every posting of a W3 matcher to ``ids``/``weights`` a block at a time.

    Whoosh's per-posting ``id()``/``weight()``/``next()`` calls are four Python calls a
    posting; a block's document numbers are one delta-encoded array and its weights one
    array (or one number for all), so reading them whole is several times faster, and
    skipping the positions in the block (:func:`_decode_block`) ~3x faster again.
    ``offset`` is added to the document numbers (a segment after the first).
    """
    while not m._atend:
        if m._data is None:
            d, w = _block_ids_weights(m)
        else:
            d, w = m._data[0], m._data[1]
        docs = d if m._byteids else accumulate(d)
        _append_block(list(map(offset.__add__, docs) if offset else docs), w, m._blocklength, ids, ws)
        m._next_block()


def _drop_deleted(ids: array, ws: array, start: int, deleted: set, offset: int) -> None:
    """Remove the postings of ``deleted`` documents (segment numbers) from ``ids[start:]``/``ws[start:]``."""
    if not deleted:
        return
    if len(deleted) * 8 < len(ids) - start:  # few: find each by binary search
        for d in sorted(deleted, reverse=True):
            i = bisect_left(ids, d + offset, start)
            if i < len(ids) and ids[i] == d + offset:
                del ids[i]
                del ws[i]
        return
    seg_ids, seg_ws = ids[start:], ws[start:]
    live = [d - offset not in deleted for d in seg_ids]
    del ids[start:], ws[start:]
    ids.extend(array("i", compress(seg_ids, live)))
    ws.extend(array("f", compress(seg_ws, live)))


def _list_bytes(postfile, info) -> bytes:
    """A posting list's bytes (W3's term info reads its length back as a 1-tuple)."""
    offset, length = info.extent()
    if type(length) is tuple:
        (length,) = length
    return postfile.get(offset, length)


def _title_column(reader):
    """``docnum -> title`` from the index's title column (None: an index without one)."""
    try:
        if not reader.has_column("title"):
            return None
        column = reader.column_reader("title", translate=False)
    except Exception:
        return None

    def title(docnum: int) -> str:
        value = column[docnum]
        return value.decode("utf-8") if value else ""

    return title


def _titles_in_memory(reader):
    """``docnum -> title`` from the title column read whole into memory, a segment at a time (one
    read: ~4 MB for 50k titles), or None (a segment without the column, or a column reader other than
    Whoosh's variable-bytes one).  A title read from the file costs ~15 µs of Python calls."""
    parts = []
    try:
        for sub, offset in reader.leaf_readers():
            column = sub.column_reader("title", translate=False)
            offsets, lengths = column._offsets, column._lengths
            end = max(map(add, offsets, lengths), default=0)
            parts.append((offset, column._dbfile.get(column._basepos, end) if end else b"", offsets, lengths))
    except Exception:
        return None
    starts = [p[0] for p in parts]

    def title(docnum: int) -> str:
        offset, blob, offsets, lengths = parts[bisect_right(starts, docnum) - 1]
        d = docnum - offset
        at = offsets[d]
        return blob[at : at + lengths[d]].decode("utf-8")

    return title


def _term_tables_in_memory(reader) -> None:
    """Read each W3 segment's term table (its ``.trm`` hash file, ~14 MB for 50k articles) into
    memory once, in place of the file Whoosh reads it from: a term's lookup (its postings' extent,
    whether the segment has it) is then ~20 µs instead of ~45 (five seeks and reads of the file).
    The same bytes and Whoosh's own reader over them, for every query of this reader; segments
    of another codec are left as they are."""
    for sub, _offset in reader.leaf_readers():
        terms = getattr(sub, "_terms", None)
        if type(terms).__name__ != "W3TermsReader" or getattr(terms, "_searchkz_in_memory", False):
            continue
        try:
            from whoosh.filedb.filetables import OrderedHashReader
            from whoosh.filedb.structfile import BufferFile

            dbfile = terms._dbfile
            dbfile.seek(0, 2)
            length = dbfile.tell()
            table = OrderedHashReader(BufferFile(dbfile.get(0, length)), length)
            if table.extras.get("fieldmap") != terms._fieldmap:
                continue
            terms._tindex = table
        except Exception:  # (another layout: keep reading the file)
            continue
        terms._searchkz_in_memory = True


def _posting_file(sub):
    """The posting file of a W3 segment reader, whose lists :func:`_parse_list` reads whole (else None)."""
    terms = getattr(sub, "_terms", None)
    if type(terms).__name__ != "W3TermsReader" or not hasattr(getattr(terms, "_postfile", None), "get"):
        return None
    return terms._postfile


class Ranker:
    """Scores free-text queries against one searcher's reader (posting lists cached)."""

    MAX_CACHE = 16_000_000  # postings kept as arrays (8 bytes each: at most ~128 MB), least recently used dropped first
    MAX_WORD_CACHE = 600_000  # per-word score entries kept, a document mask counting n/100 (~60 MB)
    MAX_DF_CACHE = 200_000
    DENSE_SHARE = 16  # a list with at least 1/16 of the slice's documents is also kept dense (a byte a document)
    MAX_DENSE = 128_000_000  # bytes of dense lists kept (2 a document), least recently used dropped first
    # matches (summed over the words) from which the top k is found through bounds (paired runs at 100k:
    # 5k no slower than 20k; each slice of a split query has half the matches)
    BOUND_MIN = 5_000
    LEXICON_AFTER = 1  # queries ranked before terms and term tables are read into memory (never in a one-shot search)

    def __init__(self, searcher, leaves: list[int] | None = None) -> None:
        """``leaves``: the positions of the segments this ranker reads (a slice of the index:
        :mod:`searchkz.parallel`); its IDFs and length norms are still the whole index's."""
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
        try:
            self._leaves = list(self.reader.leaf_readers())
        except Exception:
            self._leaves = [(self.reader, 0)]
        self._whole = leaves is None  # (a ranker of a slice of the segments: parallel.py)
        if leaves is not None:
            self._leaves = [self._leaves[i] for i in leaves]
        self._lexicons: dict[str, list[str]] = {}  # field -> its terms, sorted (Ranker._lexicon)
        self._queries = 0  # queries ranked (Ranker.rank): from the second on, terms are looked up in memory
        self._slices = 0  # slices read (Ranker.slice_read), likewise
        self._post: OrderedDict = OrderedDict()  # (field, term) -> (docnums, weights), LRU
        self._cached = 0
        self._words: OrderedDict = OrderedDict()  # word key -> _Word, LRU
        self._words_cached = 0
        self.postings_read = 0  # postings read from the index (for tests and profiling)
        self._prefix: dict[tuple[str, str], list[str]] = {}
        self._has_prefix: dict[tuple[str, str], bool] = {}
        self._gaps: dict[tuple[int, str], tuple[list, list]] = {}  # (leaf, field) -> probes, first terms from them
        self._titles: dict[int, list] = {}
        self._df: dict[str, int] = {}
        self._fb_stems: dict[int, list] = {}
        self._norms: dict[tuple[str, float, float], list[float]] = {}
        self._deleted: dict[int, set] = {}
        self._postfiles = [_posting_file(sub) for sub, _offset in self._leaves]
        self._title_column = None  # docnum -> title (the column; stored fields for an index without it)
        self._titles_whole = None  # the title column in memory (False: not readable so)
        self._covers = 0  # cover calls (the titles are read into memory from the second on)
        self._dense: OrderedDict = OrderedDict()  # (field, term) -> Ranker.dense's answer, LRU
        self._dense_bytes = 0
        self._low7 = None  # 0x7f and 0x80 a byte of the slice (Ranker._saturating_add)
        self._plane_readers: list | None = None  # per leaf: its stored planes (searchkz.planes), opened on first use
        self._classes: dict = {}  # length classes (Ranker._class_plane) and bound ratios (Ranker._bound_ratios)
        last, last_offset = self._leaves[-1] if self._leaves else (self.reader, 0)
        self._lo = self._leaves[0][1] if self._leaves else 0  # the slice's documents: lo .. lo + n - 1
        self._n = last_offset + last.doc_count_all() - self._lo

    # -- index access ------------------------------------------------------
    def plist(self, fieldname: str, term: str) -> tuple[array, array]:
        """``(docnums, weights)`` of a posting list, read once per leaf reader (cached, LRU)."""
        key = (fieldname, term)
        post = self._post
        hit = post.get(key)
        if hit is not None:
            post.move_to_end(key)
            return hit
        ids = array("i")
        ws = array("f")
        for leaf, (_sub, offset) in enumerate(self._leaves):
            self._leaf_postings(leaf, fieldname, term, ids, ws, offset)
        hit = (ids, ws)
        self.postings_read += len(ids)
        post[key] = hit
        self._cached += len(ids) + 1
        while self._cached > self.MAX_CACHE and len(post) > 1:
            _k, (old, _w) = post.popitem(last=False)
            self._cached -= len(old) + 1
        return hit

    def _leaf_postings(self, leaf: int, fieldname: str, term: str, ids: array, ws: array, offset: int) -> None:
        """Append one leaf reader's live postings of a term to ``ids``/``ws`` (``offset`` added
        to the document numbers)."""
        sub = self._leaves[leaf][0]
        start = len(ids)
        postfile = self._postfiles[leaf]
        if postfile is not None:
            try:
                info = sub.term_info(fieldname, term)
            except Exception:  # term not in the field (whoosh raises TermNotFound)
                return
            if info.is_inlined():  # a single posting, kept in the term's entry
                docs, weights, _values = info.inlined_postings()
                ids.fromlist([d + offset for d in docs])
                ws.fromlist([float(w) for w in weights])
            elif not _parse_list(_list_bytes(postfile, info), ids, ws, offset):
                self._read_matcher(sub, fieldname, term, ids, ws, offset)
        else:
            try:
                self._read_matcher(sub, fieldname, term, ids, ws, offset)
            except Exception:  # term not in the field
                return
        if sub.has_deletions():
            _drop_deleted(ids, ws, start, self._deleted_in(leaf, sub), offset)

    @staticmethod
    def _read_matcher(sub, fieldname: str, term: str, ids: array, ws: array, offset: int) -> None:
        """Append a leaf's postings of a term through Whoosh's matcher, deleted documents included
        (a list :func:`_parse_list` does not read: another Whoosh, another codec)."""
        m = sub.postings(fieldname, term)
        m = getattr(m, "child", m) if sub.has_deletions() else m  # Whoosh's filter of deleted documents
        if type(m) is _BLOCK_MATCHER:
            _read_blocks(m, ids, ws, offset)
            return
        is_active, mid, mweight, mnext = m.is_active, m.id, m.weight, m.next
        add_id, add_w = ids.append, ws.append
        while is_active():
            add_id(mid() + offset)
            add_w(mweight())
            mnext()

    def _deleted_in(self, leaf: int, sub) -> set:
        """The deleted document numbers of a leaf reader (segment-relative; computed once)."""
        hit = self._deleted.get(leaf)
        if hit is None:
            known = getattr(sub, "deleted_docs_set", None)  # (whoosh3 keeps them; else the complement of the live)
            if isinstance(known, (set, frozenset)):
                hit = set(known)
            else:
                hit = set(range(sub.doc_count_all())).difference(sub.all_doc_ids())
            self._deleted[leaf] = hit
        return hit

    def postings(self, fieldname: str, term: str) -> dict[int, float]:
        """``{docnum: weight}`` of a posting list (see :meth:`plist`)."""
        ids, ws = self.plist(fieldname, term)
        return dict(zip(ids, ws))

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """Live documents with ``term`` (the posting list's length when it is cached)."""
        hit = self._post.get((fieldname, term))
        if hit is not None:
            return len(hit[0])
        if not self.reader.has_deletions():
            try:
                return self.reader.doc_frequency(fieldname, term)
            except Exception:
                return 0
        return len(self.plist(fieldname, term)[0])

    def expand_prefix(self, fieldname: str, prefix: str) -> list[str]:
        """The field's terms that begin with ``prefix``, in order (cached)."""
        key = (fieldname, prefix)
        hit = self._prefix.get(key)
        if hit is None:
            lex = self._lexicon(fieldname)
            if lex is not None:
                i = bisect_left(lex, prefix)
                j = bisect_left(lex, prefix + "\U0010ffff", i)  # (no term has that character)
                hit = lex[i:j]
            else:
                hit = [t.decode("utf-8") if isinstance(t, bytes) else t
                       for t in self.reader.expand_prefix(fieldname, prefix)]
            self._prefix[key] = hit
        return hit

    def _lexicon(self, fieldname: str) -> list[str] | None:
        """The field's terms over the whole index, sorted, in memory once more than
        ``LEXICON_AFTER`` queries were ranked (a long-lived Index; a one-shot search does not read
        them all: ~0.25 s for the 31k forms of 100k articles); None before."""
        lex = self._lexicons.get(fieldname)
        if lex is None and self._queries > self.LEXICON_AFTER:
            lex = self._lexicons[fieldname] = [t.decode("utf-8") if isinstance(t, bytes) else t
                                               for t in self.reader.lexicon(fieldname)]
        return lex

    def has_term(self, fieldname: str, term: str) -> bool:
        """Does a live document have ``term``?  (:meth:`in_vocabulary` without deletions.)"""
        if (fieldname, term) in self._post or not self.reader.has_deletions():
            return self.in_vocabulary(fieldname, term)
        # a segment with more documents with the term than deleted ones has a live one
        for sub, _offset in self._leaves:
            try:
                df = sub.doc_frequency(fieldname, term)
            except Exception:
                continue
            if df and df > sub.doc_count_all() - sub.doc_count():
                return True
        return bool(self.plist(fieldname, term)[0])

    def in_vocabulary(self, fieldname: str, term: str) -> bool:
        """Does the field's vocabulary have ``term``?  (As :meth:`has_term`, without reading its
        list to see whether a document with it is still live: enough to highlight a word.)"""
        hit = self._post.get((fieldname, term))
        if hit is not None:
            return bool(hit[0])
        try:
            return (fieldname, term.encode("utf-8")) in self.reader
        except Exception:
            return False

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        """Does some term of the field begin with ``prefix``?  Asked segment by segment (a
        multi-reader merges all their terms first) and answered from the terms seen before
        when it can (:meth:`_first_term_from`)."""
        key = (fieldname, prefix)
        hit = self._has_prefix.get(key)
        if hit is None and self._whole:
            lex = self._lexicon(fieldname)
            if lex is not None:
                i = bisect_left(lex, prefix)
                hit = self._has_prefix[key] = i < len(lex) and lex[i].startswith(prefix)
        if hit is None:
            bp = prefix.encode("utf-8")
            hit = False
            for leaf in range(len(self._leaves)):
                first = self._first_term_from(leaf, fieldname, bp)
                if first is not None and first.startswith(bp):
                    hit = True
                    break
            self._has_prefix[key] = hit
        return hit

    def _first_term_from(self, leaf: int, fieldname: str, bp: bytes) -> bytes | None:
        """A segment's first term of the field at or after ``bp`` (None: none).  Each answer
        ``(probe, first)`` says no term lies between the two, so a later probe in that gap
        (the respelling walk's next, longer prefix) has the same answer without a look-up in
        Whoosh's term table (a binary search of some 20 file reads)."""
        probes, firsts = self._gaps.setdefault((leaf, fieldname), ([], []))
        j = bisect_right(probes, bp) - 1
        if j >= 0 and (firsts[j] is None or bp <= firsts[j]):
            return firsts[j]
        first = None
        sub = self._leaves[leaf][0]
        try:
            for fn, t in sub.terms_from(fieldname, bp):
                if fn == fieldname:
                    first = t
                break
        except Exception:
            return None
        j = bisect_right(probes, bp)
        probes.insert(j, bp)
        firsts.insert(j, first)
        return first

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

    def _length_norm(self, fieldname: str, b: float, times: float = 1.0) -> list[float]:
        """Per docnum, BM25's length normalization ``1 - b + b · length / average`` of a field,
        ``times`` a factor (read once per searcher: a list lookup is what the scoring loop needs)."""
        key = (fieldname, b, times)
        hit = self._norms.get(key)
        if hit is None:
            if times != 1.0:
                hit = [times * x for x in self._length_norm(fieldname, b)]
            else:
                avg = self._avg[fieldname]
                length = self.reader.doc_field_length
                hit = [1 - b + b * (length(d, fieldname, 0) or 0) / avg for d in range(self.reader.doc_count_all())]
            self._norms[key] = hit
        return hit

    # -- the bounded top k: bounds of every document's score in C-level byte operations ----------
    def dense(self, fieldname: str, term: str) -> tuple[bytes, int] | None:
        """A long posting list as a byte a document of this ranker's slice (its weight, 0 where the
        term is absent) and as a mask (an int of a byte a document, 1 where the term is) (cached), or None: a short list, or weights that are not whole numbers 1-255.  The bytes
        come from the planes the reindex stored (:meth:`_stored_plane`), else from the list."""
        key = (fieldname, term)
        cache = self._dense
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        n, lo = self._n, self._lo
        plane = self._stored_plane(fieldname, term)
        if plane is None:  # no segment of the slice has it stored: from the posting list, if long
            ids, ws = self.plist(fieldname, term)
            if ids and len(ids) * self.DENSE_SHARE >= n:
                # (documents before the slice: cut off after, no subtraction a posting)
                plane = plane_of(ids, ws, lo + n)  # (a term's frequency in the document)
                if plane is not None and lo:
                    plane = plane[lo:]
        out = None
        if plane:
            out = (plane, int.from_bytes(plane.translate(_NONZERO_1), "little"))
        cache[key] = out
        self._dense_bytes += 2 * n if out is not None else 100  # (a short list's entry: ~100 bytes)
        while self._dense_bytes > self.MAX_DENSE and len(cache) > 1:
            _k, old = cache.popitem(last=False)
            self._dense_bytes -= 2 * n if old is not None else 100
        return out

    def _has_postings(self, fieldname: str, term: str) -> bool:
        """Whether a list has postings in the slice (from its dense form when it is long)."""
        got = self.dense(fieldname, term)
        return bool(got[1]) if got is not None else bool(self.plist(fieldname, term)[0])

    def _stored_plane(self, fieldname: str, term: str) -> bytes | bool | None:
        """A term's plane over the slice from the planes its segments stored (:mod:`searchkz.planes`;
        deleted documents zeroed; a segment without one: from its postings); None: no segment of the
        slice stored one; False: a segment's weights are not whole numbers 1-255."""
        readers = self._plane_readers
        if readers is None:
            readers = self._plane_readers = [open_planes(sub) for sub, _offset in self._leaves]
        stored = [r.get(fieldname, term) if r is not None else None for r in readers]
        if not any(stored):
            return None
        parts = []
        for leaf, ((sub, _offset), plane) in enumerate(zip(self._leaves, stored)):
            size = sub.doc_count_all()
            if plane is None:  # (its list is short there, or Whoosh's writer wrote the segment)
                ids, ws = array("i"), array("f")
                self._leaf_postings(leaf, fieldname, term, ids, ws, 0)
                plane = plane_of(ids, ws, size)
                if plane is None:
                    return False
                parts.append(plane)
                continue
            if sub.has_deletions():
                deleted = self._deleted_in(leaf, sub)
                if deleted:
                    buf = bytearray(plane)
                    for d in deleted:
                        buf[d] = 0
                    plane = buf
            parts.append(plane)
        return b"".join(parts)

    def _class_plane(self, fieldname: str, p: RankParams) -> tuple[int, list]:
        """``(plane, norms)``: each document's length class in the field (of ``_CLASSES``, by the
        slice's quantiles of its length norm) shifted above the 5 bits of an evidence level, as an
        int of bytes; and each class's least and greatest norm (the body's times ``k1``, as the
        scoring divides by it)."""
        key = (fieldname, p.b_body, p.b_title, p.k1)
        hit = self._classes.get(key)
        if hit is None:
            lo, n = self._lo, self._n
            if fieldname == "body":
                norm = self._length_norm("body", p.b_body, p.k1)[lo : lo + n]
            else:
                norm = self._length_norm("title", p.b_title)[lo : lo + n]
            ranked = sorted(norm)
            edges = [ranked[(i * (n - 1)) // _CLASSES] for i in range(1, _CLASSES)]
            cls = [bisect_right(edges, x) for x in norm]
            least = [math.inf] * _CLASSES
            most = [0.0] * _CLASSES
            for c, x in zip(cls, norm):
                if x < least[c]:
                    least[c] = x
                if x > most[c]:
                    most[c] = x
            plane = int.from_bytes(bytes(c << 5 for c in cls), "little")
            hit = self._classes[key] = (plane, list(zip(least, most)))
        return hit

    def _lane_sum(self, lists: list) -> bytes | None:
        """``min(Σ factor · weight, 255)`` of posting lists in twentieths, exact, a byte a document
        of the slice (None: a factor that is not a whole number of twentieths, or weights that are
        not whole numbers 1-255, or no posting).  Each list's bytes are ``min(factor · weight, 255)``
        (a table), added as ints lane by lane with saturation (:meth:`_saturating_add`)."""
        n, lo = self._n, self._lo
        total = None
        sparse = None  # the short lists, summed a posting at a time
        for fieldname, term, f in lists:
            m = round(f * _UNITS)
            if m < 1 or abs(f * _UNITS - m) > 1e-9:
                return None
            got = self.dense(fieldname, term)
            if got is not None:
                x = int.from_bytes(got[0].translate(_times(m)), "little")
                total = x if total is None else self._saturating_add(total, x)
                continue
            ids, ws = self.plist(fieldname, term)
            if not ids:
                continue
            tf = whole_bytes(ws)
            if tf is None:
                return None
            if sparse is None:
                sparse = bytearray(n)
            for d, v in zip(ids, tf.translate(_times(m))):
                v += sparse[d - lo]
                sparse[d - lo] = v if v < 255 else 255
        if sparse is not None:
            x = int.from_bytes(sparse, "little")
            total = x if total is None else self._saturating_add(total, x)
        return total.to_bytes(n, "little") if total else None

    def _saturating_add(self, a: int, b: int) -> int:
        """Lane by lane (a byte a document), ``min(a + b, 255)``, in a dozen C-level int operations
        on the slice's bytes (SWAR: the low seven bits added without carries between lanes, then
        each lane's top bit and its carry out, which makes the lane 255)."""
        if self._low7 is None:
            self._low7 = (int.from_bytes(b"\x7f" * self._n, "little"), int.from_bytes(b"\x80" * self._n, "little"))
        low7, top = self._low7
        t = (a & low7) + (b & low7)
        x = a ^ b
        carry = ((a & b) | (x & t)) & top
        return (t ^ (x & top)) | (carry >> 7) * 255

    def _levels(self, sums: bytes, fieldname: str, p: RankParams) -> bytes:
        """A byte a document: its evidence level (5 bits) under its length class in the field
        (3 bits); ``sums``: :meth:`_lane_sum`."""
        levels = int.from_bytes(sums.translate(_LEVEL_OF), "little") | self._class_plane(fieldname, p)[0]
        return levels.to_bytes(self._n, "little")

    def _planes(self, ev: "_Word", p: RankParams):
        """A word's evidence in this slice as byte planes (:meth:`_levels`): ``(body side, title)``,
        the title's None when it has none there; None when the word cannot be bounded this way
        (:meth:`_lane_sum`)."""
        if ev.planes is not None:
            return ev.planes or None
        ev.planes = False
        body = _body_side(ev, p)
        sums = self._lane_sum(body) if body else None
        if sums is None:
            return None
        title = None
        if ev.title and any(self._has_postings(fn, t) for fn, t, _f in ev.title):
            tsums = self._lane_sum(ev.title)
            if tsums is None:
                return None
            title = self._levels(tsums, "title", p)
        ev.planes = (self._levels(sums, "body", p), title)
        added = 2 * self._n // 100  # (a score entry is about 100 bytes)
        ev.size += added
        if self._words.get(ev.key) is ev:
            self._words_cached += added
            self._trim_words()
        return ev.planes

    def _bound_ratios(self, p: RankParams) -> tuple[list, list, list]:
        """Per level-and-class byte (:meth:`_levels`), a word's score over its largest
        (``c = idf · (k1 + 1)``: ``x / (k1 + x)`` of its evidence ``x``): from body-side evidence
        at most (the level's most evidence, the class's shortest length) and at least (the least,
        the longest), and from title evidence alone at most (cached)."""
        key = ("ratios", p.b_body, p.b_title, p.k1, p.title_weight)
        hit = self._classes.get(key)
        if hit is None:
            k1 = p.k1
            tw = p.title_weight
            up = [0.0] * 256
            down = [0.0] * 256
            tup = [0.0] * 256
            top = len(_LEVELS) - 1
            bnorms = self._class_plane("body", p)[1]
            tnorms = self._class_plane("title", p)[1]
            for cls in range(_CLASSES):
                least, most = bnorms[cls]
                tleast = tnorms[cls][0]
                for lev in range(len(_LEVELS)):
                    i = cls << 5 | lev
                    v_lo = _LEVELS[lev] / _UNITS
                    v_hi = (_LEVELS[lev + 1] - 1) / _UNITS if lev < top else math.inf
                    if least != math.inf:
                        up[i] = 1.0 if lev == top else v_hi / (v_hi + least)
                        down[i] = v_lo / (v_lo + most) if v_lo else 0.0
                    if tleast != math.inf:
                        x = tw * v_hi / tleast
                        tup[i] = 1.0 if lev == top else x / (k1 + x)
            hit = self._classes[key] = (up, down, tup)
        return hit

    def _bound_tables(self, c: float, step: float, p: RankParams) -> tuple[bytes, bytes, bytes]:
        """Per level-and-class byte (:meth:`_levels`), a word's score (``c``: its IDF times ``k1 + 1``)
        in units of ``step``: from its body-side evidence rounded up and down, and from its title
        evidence alone rounded up (a score is below the sum of the two: ``c · x / (k1 + x)`` is
        concave) (:meth:`_bound_ratios`; the margins are far above rounding errors)."""
        up, down, tup = self._bound_ratios(p)
        hi = c / step * (1 + 1e-9)
        lo = c / step * (1 - 1e-9)
        # (c / step < 126 and every ratio at most 1: each entry is a byte; maps: C-level loops)
        ceil = math.ceil
        return (bytes(map(ceil, map(hi.__mul__, up))), bytes(map(math.floor, map(lo.__mul__, down))),
                bytes(map(ceil, map(hi.__mul__, tup))))

    def _top_bounded(self, live: list, k: int, p: RankParams, total: int):
        """:meth:`_top_of` through bounds (None: the words cannot be bounded; rank them otherwise).

        Each document's score is bounded from below and above in whole units of ``step`` (the
        words' largest scores summed are under 255 units), a byte a document: a word's bound
        tables (:meth:`_bound_tables`) translate its evidence planes (:meth:`_planes`) and the
        words' planes are added as ints.  At least k documents score at least ``theta``,
        the k-th largest lower bound, so only a document whose upper bound reaches ``theta`` can
        be among the k best: those candidates (a few hundred of tens of thousands of matches) are
        scored exactly (:meth:`_score_many`), with the same additions in the same order as
        :meth:`_scores`, so the numbers are the same to the bit (tests/test_rank_pruning.py).
        """
        n, lo = self._n, self._lo
        if len(live) > 64 or not n:
            return None
        planes = [self._planes(ev, p) for ev in live]
        if not all(planes):
            return None
        cs = [ev.idf * (p.k1 + 1) for ev in live]
        # each word's units round up at most once, so they sum to under 255; a word's are under 127,
        # so its body and title bounds add up in a byte before they are cut to its most
        step = max(sum(cs) / (255 - len(live)), max(cs) / 126) * (1 + 1e-6)
        up = down = 0
        for (levels, title), c in zip(planes, cs):
            tu, td, tt = self._bound_tables(c, step, p)
            u = int.from_bytes(levels.translate(tu), "little")
            if title is not None:
                u += int.from_bytes(title.translate(tt), "little")
                most = _AT_MOST[math.ceil(c / step * (1 + 1e-9))]
                u = int.from_bytes(u.to_bytes(n, "little").translate(most), "little")
            up += u
            down += int.from_bytes(levels.translate(td), "little")
        lower = down.to_bytes(n, "little")
        if _count_at_least(lower, 1) < k:
            return None  # fewer than k documents bounded from below: nothing to cut
        a, b = 1, 255  # the largest theta with k documents at least that
        while a < b:
            mid = (a + b + 1) // 2
            if _count_at_least(lower, mid) >= k:
                a = mid
            else:
                b = mid - 1
        mask = up.to_bytes(n, "little").translate(_AT_LEAST[a])
        cands = [lo + m.start() for m in _ONE.finditer(mask)]
        scores: dict[int, float] = {}
        get = scores.get
        for ev in live:  # summed in the query's word order, as _scores sums them
            for d, s in self._score_many(ev, cands, p).items():
                scores[d] = get(d, 0.0) + s
        return _top(scores, k), scores, total

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

        typed_df = None  # (counted when a respelling needs it: with deletions, a count reads the list)
        found = False
        forms = [(f, UNFOLD) for f in w.unfold] + [(f, RELATIN) for f in w.latin]
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
                stems = {a.stem, alt} if p.surface_as_stem else {a.stem}
                out.append((stems, {alt}, weight))
        if not found:
            # the form as typed is nowhere in the index: respell its stem among the indexed stems
            typed_df = sum(self.doc_frequency("body", t) for t in typed_stems)
            for fst in w.folded:
                for alt in self.respellings(fst, fieldname="body"):
                    if alt in typed_stems:
                        continue
                    df = self.doc_frequency("body", alt)
                    share = df / (df + typed_df) if df + typed_df else 0.0
                    out.append(({alt}, set(), min(p.respell_max, max(p.respell_weight, share))))
        return out

    def _plan(self, w: QueryWord, p: RankParams) -> "_Word":
        """A word's posting lists as ``(field, term, factor)`` in the order the scoring sums them
        (its readings, then the prefix net: what the whole index has, whichever slice reads them)."""
        ev = _Word()
        readings = self.readings(w, p)
        seen: set = set()
        for stems, exacts, rw in readings:
            for s in stems - seen:  # every indexed token has one stem: no token counts twice
                ev.title.append(("title", s, rw))
                ev.body.append(("body", s, rw))
            seen |= stems
            if p.exact_weight:
                for e in exacts:
                    ev.extra.append(("exact", e, rw * p.exact_weight))
        if p.prefix_weight:
            prefixes = {e[: p.prefix_len] for _s, exacts, _w in readings for e in exacts if len(e) > p.prefix_len}
            if p.prefix_other_stems:
                from searchkz.analysis import analyze_word
            for pre in prefixes:
                for t in self.expand_prefix("exact", pre):
                    if p.prefix_other_stems and analyze_word(t).stem in seen:
                        continue
                    ev.pref.append(("exact", t, 1.0))
        return ev

    def _read(self, ev: "_Word") -> None:
        """Read a planned word's lists: its df, the documents it matches (a byte a document of the
        slice, 1 where it has evidence: the union of several words is one OR, its size one bit
        count) and their number.  A long list is read as its dense form (:meth:`dense`): its byte
        mask is ORed in, where a short list sets a byte a posting."""
        n, lo = self._n, self._lo
        union = 0
        seen = None
        for pref in (False, True):
            for fieldname, term, _f in ev.pref if pref else ev.title + ev.body + ev.extra:
                got = self.dense(fieldname, term)
                if got is not None:
                    union |= got[1]
                    continue
                ids = self.plist(fieldname, term)[0]
                if not ids:
                    continue
                if seen is None:
                    seen = bytearray(lo + n)  # (the documents before the slice are cut off)
                for d in ids:
                    seen[d] = 1
            if seen is not None:
                union |= int.from_bytes(seen[lo:] if lo else seen, "little")
            if not pref:
                df = union.bit_count()
        ev.matches = union.bit_count() if ev.pref else df
        ev.local = (df, ev.matches)
        ev.df = df or ev.matches
        ev.docs = union if ev.matches else None

    def _evidence(self, w: QueryWord, p: RankParams) -> "_Word":
        """A word's posting lists (:meth:`_plan`), read (:meth:`_read`)."""
        ev = self._plan(w, p)
        self._read(ev)
        return ev

    def title_of(self, docnum: int) -> tuple[str, int]:
        """The document's title and its number of content (non-stop) words (cached)."""
        title = self.title_text(docnum)
        hit = self._titles[docnum]
        if hit[1] is None:
            from searchkz.analysis import count_content_words

            hit[1] = count_content_words(title)
        return title, hit[1]

    def title_text(self, docnum: int) -> str:
        """The document's title (cached; its words are counted by :meth:`title_of` when asked).  Read
        from the title column, all of it into memory from the second title-boost query on."""
        hit = self._titles.get(docnum)
        if hit is None:
            if self._titles_whole is None and self._covers > 1:
                self._titles_whole = _titles_in_memory(self.reader) or False
                self._title_column = self._titles_whole or self._title_column
            if self._title_column is None:
                stored = self.searcher.stored_fields
                self._title_column = _title_column(self.reader) or (lambda d: stored(d).get("title") or "")
            hit = self._titles[docnum] = [self._title_column(docnum), None]
        return hit[0]

    def _title_coverage(self, words, ranked, p: RankParams, split=None) -> dict[int, float]:
        """Share of each top document's title words that the query names (``Дулат Бабатайұлы`` in
        "Дулат Бабатайұлы қай жылдарды өмір сүрген?"); ``split``: a :class:`~searchkz.parallel.Splitter`
        that looks at half of the titles in its worker."""
        terms = self.title_terms(words, p)
        docs = [d for d, _s in ranked[: p.title_depth]]
        if split is not None:
            got = split.cover(self, docs, terms)
            if got is not None:
                return got
        return self.cover(docs, terms)

    def title_terms(self, words, p: RankParams) -> tuple[frozenset, frozenset, int]:
        """``(stems and forms, prefixes, prefix length)``: what a title word must be to be named."""
        stems: set = set()
        pref: set = set()
        plen = p.prefix_len
        for w in words:
            for st, ex, rw in self.readings(w, p):
                stems |= st | ex
                pref.update(e[:plen] for e in ex if len(e) >= plen)
        return frozenset(stems), frozenset(pref), plen

    def cover(self, docs: list[int], terms: tuple) -> dict[int, float]:
        """``{docnum: share of its title's content words named by terms}`` (:meth:`title_terms`)."""
        from searchkz.analysis import find_words, term_prefixes

        stems, pref, plen = terms
        self._covers += 1

        def named(a) -> bool:
            nm = a.normalized
            return not a.stop and (a.stem in stems or nm in stems or (len(nm) >= plen and nm[:plen] in pref))

        # only words that begin like a wanted term can be named: the others are not analyzed
        heads = term_prefixes(stems | pref)
        out: dict[int, float] = {}
        for d in docs:
            title = self.title_text(d)
            hits = len(find_words(title, named, heads)) if title else 0
            if hits:  # (a named word is a content word: the title has some)
                out[d] = hits / self.title_of(d)[1]
        return out

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

    def _word_scores(self, w: QueryWord, p: RankParams) -> tuple[float, dict[int, float] | None]:
        """``(idf, {docnum: the word's BM25F score})`` (cached per word and parameters; None: no evidence)."""
        return self._word_scores_of(self._word(w, p), p)

    def _word_scores_of(self, ev: "_Word", p: RankParams) -> tuple[float, dict[int, float] | None]:
        """``(idf, {docnum: score})`` of a word's evidence (scored whole once, then kept with it)."""
        if ev.scores is None and ev.docs is not None:
            self._score_all(ev, p)
            ev.size += len(ev.scores)
            if self._words.get(ev.key) is ev:
                self._words_cached += len(ev.scores)
                self._trim_words()
        return ev.idf, ev.scores

    def _word(self, w: QueryWord, p: RankParams) -> "_Word":
        """The cached evidence of a word (:class:`_Word`): its IDF, documents and posting lists."""
        key = (w.raw, frozenset(w.stems), frozenset(w.exact), frozenset(w.folded), frozenset(w.unfold),
               frozenset(w.latin), w.weight, tuple(p.__dict__.values()))
        hit = self._cached_word(key)
        if hit is not None:
            return hit
        ev = self._evidence(w, p)
        self._weigh(ev, ev.df, w.weight, p)
        return self._keep(key, ev)

    def _cached_word(self, key: tuple) -> "_Word | None":
        """A word's cached evidence (now the most recently used), or None."""
        hit = self._words.get(key)
        if hit is not None:
            self._words.move_to_end(key)
        return hit

    def _keep(self, key: tuple, ev: "_Word") -> "_Word":
        """Cache a word's evidence under ``key`` (least recently used dropped past the limit)."""
        ev.key = key
        # the document mask: a byte a document, about a hundredth of a score entry's memory
        ev.size = 1 + (self.n_docs // 100 if ev.docs is not None else 0)
        self._words[key] = ev
        self._words_cached += ev.size
        self._trim_words()
        return ev

    def _weigh(self, ev: "_Word", df: int, weight: float, p: RankParams) -> None:
        """A word's IDF (over ``df`` documents of the whole index) and score bound."""
        n = self.n_docs
        if df == 0:
            ev.idf = math.log(1 + (n + 0.5) / 0.5) * weight
            ev.docs = None
        else:
            ev.idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) ** p.idf_power * weight
        # idf · tf · (k1 + 1) / (k1 + tf) < idf · (k1 + 1) (with room for rounding)
        ev.bound = ev.idf * (p.k1 + 1) * (1 + 1e-9)

    def _trim_words(self) -> None:
        """Drop the least recently used words while the cache holds more than ``MAX_WORD_CACHE`` entries."""
        cache = self._words
        while self._words_cached > self.MAX_WORD_CACHE and len(cache) > 1:
            _k, old = cache.popitem(last=False)
            self._words_cached -= old.size

    def _score_all(self, ev: "_Word", p: RankParams) -> None:
        """``ev.scores``: the word's BM25F score in every document it has evidence in."""
        ev.scores = self._bm25f(ev.idf, self._sums(ev, p), p)

    def _score_many(self, ev: "_Word", docs: list[int], p: RankParams) -> dict[int, float]:
        """The word's scores in ``docs`` (sorted; those with evidence), looked up in its posting
        lists (:meth:`_add_in`): the same sums in the same order as :meth:`_score_all`, so the
        same numbers."""
        return self._bm25f(ev.idf, self._sums(ev, p, docs), p)

    def _sums(self, ev: "_Word", p: RankParams, docs: list[int] | None = None) -> list[dict]:
        """The word's evidence summed per document, each list times its factor: ``[title, body
        side]``, the body side being its body lists, then its exact forms, then its prefix net
        (times ``prefix_weight``) added into one sum (``[title, body, exact, prefix]`` apart
        without ``prefix_other_stems``).  Over every posting, or in ``docs`` (sorted) only: the
        same additions in the same order either way."""
        if p.prefix_other_stems:
            groups = (ev.title, _body_side(ev, p))
        else:
            groups = (ev.title, ev.body, ev.extra, ev.pref)
        wanted: list = [None]  # docs as a set, once a list is read whole for them
        accs = []
        for lists in groups:
            acc: dict[int, float] = {}
            for fieldname, term, f in lists:
                if docs is None:
                    ids, ws = self.plist(fieldname, term)
                    _add(acc, ids, ws, f)
                else:
                    self._add_in(acc, fieldname, term, f, docs, wanted)
            accs.append(acc)
        return accs

    def _add_in(self, acc: dict, fieldname: str, term: str, f: float, docs: list[int], wanted: list) -> None:
        """``acc[d] += f · w`` for the ``docs`` (sorted) in a posting list: from its dense form (a
        byte a document) when it is kept, by reading a short list whole when that takes fewer
        steps than a binary search a document (``wanted[0]``: ``docs`` as a set, made once)."""
        got = self._dense.get((fieldname, term))
        if got is not None:
            plane, lo = got[0], self._lo
            get = acc.get
            for d in docs[bisect_left(docs, lo) : bisect_left(docs, lo + len(plane))]:  # (those in the slice)
                w = plane[d - lo]
                if w:
                    acc[d] = get(d, 0.0) + f * w
            return
        ids, ws = self.plist(fieldname, term)
        if len(ids) < 16 * len(docs):
            if wanted[0] is None:
                wanted[0] = set(docs)
            within = wanted[0]
            get = acc.get
            for d, w in zip(ids, ws):
                if d in within:
                    acc[d] = get(d, 0.0) + f * w
            return
        _look_up(acc, ids, ws, docs, f)

    def _bm25f(self, idf: float, accs: list[dict], p: RankParams) -> dict[int, float]:
        """``{docnum: score}`` from a word's evidence summed per document (:meth:`_sums`)."""
        if len(accs) == 2:
            title, bsum = accs
        else:  # without prefix_other_stems: the tokens sharing the prefix beyond the stem matches
            title, body, extra, pref = accs
            pw = p.prefix_weight
            for d, tf in pref.items():
                more = tf - body.get(d, 0.0)
                if more > 0:
                    extra[d] = extra.get(d, 0.0) + pw * more
            bsum = body
            get = bsum.get
            for d, v in extra.items():
                bsum[d] = get(d, 0.0) + v
        k1 = p.k1
        c = idf * (k1 + 1)
        bden = self._length_norm("body", p.b_body)
        # idf · tf · (k1 + 1) / (k1 + tf) with tf = v / norm, as c · v / (v + k1 · norm)
        kb = self._length_norm("body", p.b_body, k1)
        out = {d: c * v / (v + kb[d]) for d, v in bsum.items()}
        if title:
            tw = p.title_weight
            tden = self._length_norm("title", p.b_title)
            get = bsum.get
            for d, t in title.items():
                tf = tw * t / tden[d]
                v = get(d)
                if v:
                    tf += v / bden[d]
                out[d] = c * tf / (k1 + tf)
        return out

    def _scores(self, words: list[QueryWord], allowed, p: RankParams) -> dict[int, float]:
        """BM25F of every document some evidence of ``words`` matches (before the title boost)."""
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        total_idf = 0.0
        for w in words:
            idf, contrib = self._word_scores(w, p)
            total_idf += idf
            if contrib is None:
                continue
            get = scores.get
            if allowed is None:
                if not scores:
                    scores.update(contrib)
                else:
                    for d, s in contrib.items():
                        scores[d] = get(d, 0.0) + s
            else:
                for d, s in contrib.items():
                    if d in allowed:
                        scores[d] = get(d, 0.0) + s
            if p.coord_power:
                for d in contrib:
                    if allowed is None or d in allowed:
                        matched[d] = matched.get(d, 0.0) + idf
        if scores and p.coord_power and total_idf > 0:
            cp = p.coord_power
            for d in scores:
                scores[d] *= (matched[d] / total_idf) ** cp
        return scores

    def _summed_all(self, live: list, p: RankParams) -> dict[int, float]:
        """Every document's score over the words' evidence (:meth:`_scores` without a filter)."""
        scores: dict[int, float] = {}
        for ev in live:
            contrib = self._word_scores_of(ev, p)[1]
            if not scores:
                scores.update(contrib)
            else:
                get = scores.get
                for d, s in contrib.items():
                    scores[d] = get(d, 0.0) + s
        return scores

    # -- one slice of the segments (searchkz.parallel: two processes rank one query) --------
    def plans(self, words: list[QueryWord], params: RankParams | None = None) -> list[tuple]:
        """Each word's lists and weight, as the index's vocabulary has them (:meth:`_plan`): what a
        ranker over some of the segments (:meth:`slice_read`, :meth:`slice_top`) is given."""
        p = params or PARAMS
        out = []
        for w in words:
            ev = self._plan(w, p)
            out.append((tuple(ev.title), tuple(ev.body), tuple(ev.extra), tuple(ev.pref), w.weight))
        return out

    def _planned(self, plan: tuple, p: RankParams) -> "_Word":
        """The evidence of a planned word in this ranker's segments (cached like :meth:`_word`)."""
        key = ("plan", plan, tuple(p.__dict__.values()))
        hit = self._cached_word(key)
        if hit is not None:
            return hit
        ev = _Word()
        title, body, extra, pref, ev.weight = plan
        ev.title, ev.body, ev.extra, ev.pref = list(title), list(body), list(extra), list(pref)
        self._read(ev)
        return self._keep(key, ev)

    def slice_read(self, plans: list, params: RankParams | None = None) -> list[tuple[int, int]]:
        """``[(df, matches), …]`` of each planned word in this ranker's segments (they add up over
        disjoint slices to the whole index's)."""
        p = params or PARAMS
        self._slices += 1
        if self._slices == self.LEXICON_AFTER + 1:  # (a worker's ranker: no rank() calls)
            _term_tables_in_memory(self.reader)
        return [self._planned(plan, p).local for plan in plans]

    def slice_top(self, plans: list, counts: list, k: int, params: RankParams | None = None):
        """``(the k best [(docnum, score)] of this ranker's segments, their scores, matches here)``,
        each word weighted by ``counts`` (:meth:`slice_read` summed over all slices): the documents,
        scores and order :meth:`_top_pruned` gives them over the whole index."""
        p = params or PARAMS
        evs = []
        for plan, (df, matches) in zip(plans, counts):
            ev = self._planned(plan, p)
            if ev.counts != (df, matches):  # the IDF is the whole index's
                if ev.scores is not None:  # (scored with other counts: not within one generation)
                    self._words_cached -= len(ev.scores)
                    ev.size -= len(ev.scores)
                    ev.scores = None
                docs = ev.docs
                self._weigh(ev, df or matches, ev.weight, p)
                ev.docs = docs
                ev.counts = (df, matches)
            evs.append(ev)
        ranked, scores, total = self._top_of(evs, k, p)
        return ranked, {d: scores[d] for d, _s in ranked}, total

    def _least_full(self, best: list, left: list, p: RankParams) -> float:
        """The least full score of the documents of ``best`` (``[(docnum, sum so far)]``),
        with the words ``left`` added: so many documents score at least that."""
        docs = sorted(d for d, _v in best)
        full = dict(best)
        for ev in left:
            get = (ev.scores if ev.scores is not None else self._score_many(ev, docs, p)).get
            for d in docs:
                s = get(d)
                if s is not None:
                    full[d] += s
        return min(full.values())

    def _top_pruned(self, words: list[QueryWord], k: int, p: RankParams):
        """``(the k best [(docnum, score)], {docnum: score} of at least those, number of matching
        documents)``: the same as :func:`_top` of :meth:`_scores`, without scoring every match.

        MaxScore, a word at a time.  Words are scored whole in decreasing order of their
        score bound (:attr:`_Word.bound`) until the bounds of the words left sum below
        ``floor``: the k-th best sum so far (a document's score is at least its sum so
        far, so the k-th best score is at least that) or, higher, the least full score
        of the k best so far (their words left looked up).  Only a document whose sum
        so far is at least ``floor`` minus the bounds left can be among the k best: the
        words left are added to those candidates, best bound first, scored by binary
        search in their posting lists (:meth:`_score_many`), and after each word the
        floor rises and the candidates are filtered again.  The candidates left get their
        score summed in the query's word order, as :meth:`_scores` sums it.
        """
        return self._top_of([self._word(w, p) for w in words], k, p)

    def _top_of(self, evs: list, k: int, p: RankParams):
        """:meth:`_top_pruned` of the words' evidence (:class:`_Word`, IDF set), in query order."""
        live = [ev for ev in evs if ev.docs is not None]
        if not live:
            return [], {}, 0
        bounded = p.prefix_other_stems and sum(ev.matches for ev in live if ev.scores is None) >= self.BOUND_MIN
        if not bounded and not _worth_pruning(live, k):  # small lists (or scored already): summing them is cheaper
            scores = self._summed_all(live, p)
            return _top(scores, k), scores, len(scores)
        if len(live) == 1:
            total = live[0].matches
        else:
            union = 0
            for ev in live:
                union |= ev.docs
            total = union.bit_count()  # a byte of 1 a document
        if bounded:
            got = self._top_bounded(live, k, p, total)
            if got is not None:
                return got
            if not _worth_pruning(live, k):
                scores = self._summed_all(live, p)
                return _top(scores, k), scores, len(scores)
        order = sorted(live, key=lambda ev: -ev.bound)
        slack = 1 - 1e-9  # sums in another order than the query's may differ in the last bits
        partial: dict[int, float] = {}
        floor = 0.0
        done = 0
        while not (len(partial) >= k and sum(ev.bound for ev in order[done:]) < floor):
            if done == len(order) - 1:  # the last word: nothing to prune, the sums are full
                contrib = self._word_scores_of(order[done], p)[1]
                _add(partial, contrib.keys(), contrib.values())
                floor = heapq.nlargest(k, partial.values())[-1] * slack if len(partial) > k else -math.inf
                return _summed(live, {d: v for d, v in partial.items() if v >= floor}, {}, k, total)
            contrib = self._word_scores_of(order[done], p)[1]
            _add(partial, contrib.keys(), contrib.values())
            done += 1
            if len(partial) >= k:
                kth = heapq.nlargest(k, partial.values())[-1]  # (values alone: no key calls)
                best = [(d, v) for d, v in partial.items() if v >= kth]  # k, or more with ties
                floor = kth * slack
                if sum(ev.bound for ev in order[done:]) >= floor and _worth_pruning(order[done:], k):
                    # not yet: the k best so far with their full scores may raise the floor enough
                    floor = max(floor, self._least_full(best, order[done:], p) * slack)
        left = order[done:]
        reach = floor - sum(ev.bound for ev in left)
        cands = {d: v for d, v in partial.items() if v >= reach}
        some: dict[int, dict] = {}  # id(word) -> its scores in the candidates
        for i, ev in enumerate(left):
            vals = ev.scores
            if vals is None and len(cands) * _lookups(ev) > ev.matches:  # as many look-ups as postings
                vals = self._word_scores_of(ev, p)[1]
            if vals is None:
                vals = some[id(ev)] = self._score_many(ev, sorted(cands), p)
            get = vals.get
            for d, v in cands.items():
                s = get(d)
                if s is not None:
                    cands[d] = v + s
            if len(cands) >= k:
                floor = max(floor, heapq.nlargest(k, cands.values())[-1] * slack)
            reach = floor - sum(ev.bound for ev in left[i + 1 :])
            cands = {d: v for d, v in cands.items() if v >= reach}
        return _summed(live, cands, some, k, total)

    def rank(self, words: list[QueryWord], limit: int | None = 10, allowed=None, params: RankParams | None = None,
             split=None):
        """``([(docnum, score), …] best first, number of matching documents)``.

        ``split(ranker, words, k, params)``: the k best found by slices of the segments in
        parallel (:mod:`searchkz.parallel`; None: not split after all), for the usual short list.

        A list deeper than ``fb_keep`` continues, after the first ``fb_keep``
        documents in their own order, with the ranking of the query expanded by
        pseudo-relevance feedback (:meth:`feedback_words`): recall for the deep
        end of a list without touching its top.
        """
        p = params or PARAMS
        self._queries += 1
        if self._queries == self.LEXICON_AFTER + 1:
            _term_tables_in_memory(self.reader)
        key = lambda x: (-x[1], x[0])  # noqa: E731
        deep = limit is None or (p.fb_terms and limit > p.fb_keep)
        got = None  # the short list found by split
        if deep:
            scores = self._scores(words, allowed, p)
            ranked = sorted(scores.items(), key=key)
            total = len(scores)
        else:
            # the usual short list: only the best max(limit, title_depth) need an order (the title boost
            # multiplies the first title_depth, so the final first `limit` are among them)
            k = max(limit, p.title_depth if p.title_cover else 0)
            if allowed is None and not p.coord_power and p.prefix_other_stems:
                if split is not None:
                    got = split(self, words, k, p)
                ranked, scores, total = got or self._top_pruned(words, k, p)
            else:
                scores = self._scores(words, allowed, p)
                ranked = _top(scores, k)
                total = len(scores)
        if not ranked:
            return [], 0
        if p.title_cover:
            cover = self._title_coverage(words, ranked, p, split if got is not None else None)
            if cover:
                for d, c in cover.items():
                    scores[d] *= 1 + p.title_cover * c ** p.title_cover_power
                ranked = sorted(scores.items(), key=key) if deep else sorted(((d, scores[d]) for d, _s in ranked), key=key)
        if p.fb_terms and (limit is None or limit > p.fb_keep) and len(ranked) > p.fb_keep:
            ranked = self._feedback_tail(words, ranked, scores, allowed, p, limit)
        if limit is not None:
            ranked = ranked[:limit]
        return ranked, max(total, len(ranked))

    # -- pseudo-relevance feedback (the deep end of long lists) --------------
    def feedback_words(self, words: list[QueryWord], ranked, p: RankParams) -> list[QueryWord]:
        """Expansion words from the top ``fb_docs`` documents (RM-style): body stems weighted by
        their share of each document (documents weighted by score), times IDF; stems in more
        than ``fb_max_df`` of the documents (or ``fb_max_postings``) are skipped, so an
        expansion reads a bounded number of postings at any index size."""
        from searchkz.analysis import word_spans
        from searchkz.index import unpack_text

        query_stems: set = set()
        for w in words:
            for st, _ex, _w in self.readings(w, p):
                query_stems |= st
        top = ranked[: p.fb_docs]
        best = top[0][1] or 1.0
        acc: dict[str, float] = {}
        for d, sc in top:
            stems = self._fb_stems.get(d)
            if stems is None:
                f = self.searcher.stored_fields(d)
                text = (f.get("title") or "") + "\n" + unpack_text(f.get("text", b""))[: p.fb_chars]
                stems = [a.stem for _s, _e, a in word_spans(text) if not a.stop and len(a.stem) > 2 and not a.stem.isdigit()]
                if len(self._fb_stems) > 2000:
                    self._fb_stems.clear()
                self._fb_stems[d] = stems
            if not stems:
                continue
            wd = math.exp(p.fb_temp * (sc / best - 1)) / len(stems)
            for t in stems:
                acc[t] = acc.get(t, 0.0) + wd
        n = self.n_docs
        max_df = min(p.fb_max_df * n, p.fb_max_postings)
        cands = []
        for t, v in acc.items():
            if t in query_stems:
                continue
            df = self._df.get(t)
            if df is None:
                if len(self._df) > self.MAX_DF_CACHE:
                    self._df.clear()
                df = self._df[t] = self.reader.doc_frequency("body", t)
            if df < 2 or df > max_df:
                continue
            cands.append((v * math.log(1 + (n - df + 0.5) / (df + 0.5)), t))
        cands.sort(key=lambda x: (-x[0], x[1]))
        cands = cands[: p.fb_terms]
        if not cands:
            return []
        top_w = cands[0][0]
        return [QueryWord(t, stems={t}, weight=p.fb_weight * v / top_w) for v, t in cands]

    def _feedback_tail(self, words, ranked, scores, allowed, p: RankParams, limit):
        """``ranked[:fb_keep]`` then the other documents by original + expansion score."""
        expansion = self.feedback_words(words, ranked, p)
        if not expansion:
            return ranked
        extra = self._scores(expansion, allowed, p)
        head = ranked[: p.fb_keep]
        in_head = {d for d, _s in head}
        tail = {d: s for d, s in scores.items() if d not in in_head}
        for d, s in extra.items():
            if d not in in_head:
                tail[d] = tail.get(d, 0.0) + s
        key = lambda x: (-x[1], x[0])  # noqa: E731
        if limit is None:
            order = sorted(tail.items(), key=key)
        else:
            order = heapq.nsmallest(max(0, limit - len(head)), tail.items(), key=key)
        if not order:
            return head
        # scores below the head's, in the tail's order
        floor = head[-1][1] * 0.99
        top_t = order[0][1] or 1.0
        return head + [(d, floor * s / top_t) for d, s in order]


class _Word:
    """One query word's evidence: its posting lists as ``(field, term, factor)`` in summing
    order (title, body, exact and prefix lists; read through :meth:`Ranker.plist`), IDF,
    documents, score bound and (once a ranking needed them) its scores in every document."""

    __slots__ = ("title", "body", "extra", "pref", "df", "docs", "matches", "idf", "bound", "scores", "key", "size",
                 "weight", "local", "counts", "planes")

    def __init__(self) -> None:
        self.title: list = []
        self.body: list = []
        self.extra: list = []
        self.pref: list = []
        self.df = 0
        self.docs: int | None = None  # a byte (0 or 1) a document of the slice: 1 with evidence (None: none)
        self.matches = 0  # documents with evidence
        self.idf = 0.0
        self.bound = 0.0  # above the word's score in any document
        self.scores: dict | None = None
        self.key: tuple = ()  # in Ranker._words
        self.size = 0  # cache entries it holds
        self.weight = 1.0  # the query word's weight (a planned word: Ranker._planned)
        self.local = (0, 0)  # a planned word's (df, matches) in the ranker's segments
        self.counts = None  # the whole index's (df, matches) its IDF is computed from
        self.planes = None  # its evidence as byte planes in the ranker's slice (Ranker._planes; False: none)


def _add(acc: dict, ids: array, ws: array, factor: float = 1.0) -> None:
    """``acc[d] += factor · w`` for a posting list (one C-level update when ``acc`` is empty)."""
    if not acc:  # (0.0 + x is x: the same numbers as the loops below)
        acc.update(zip(ids, ws) if factor == 1.0 else zip(ids, map(float(factor).__mul__, ws)))
        return
    if factor == 1.0:
        get = acc.get
        for d, tf in zip(ids, ws):
            acc[d] = get(d, 0.0) + tf
    else:
        get = acc.get
        for d, tf in zip(ids, ws):
            acc[d] = get(d, 0.0) + factor * tf


def _body_side(ev: _Word, p: RankParams) -> list:
    """A word's body-side lists in summing order: body, exact forms, prefix net times ``prefix_weight``."""
    pw = p.prefix_weight
    return ev.body + ev.extra + [(fn, t, pw * f) for fn, t, f in ev.pref]


def _look_up(acc: dict, ids: array, ws: array, docs: list[int], factor: float) -> None:
    """``acc[d] += factor · w`` for the ``docs`` (sorted) in a posting list, by binary search."""
    get = acc.get
    n = len(ids)
    at = 0
    for d in docs:
        at = bisect_left(ids, d, at)
        if at < n and ids[at] == d:
            acc[d] = get(d, 0.0) + factor * ws[at]


def _lookups(ev: _Word) -> int:
    """Binary searches to score a word in one document (its posting lists)."""
    return len(ev.title) + len(ev.body) + len(ev.extra) + len(ev.pref)


def _worth_pruning(words: list, k: int) -> bool:
    """Are the words not scored yet long enough that scoring them whole costs more than looking
    them up for a few times ``k`` documents?  (Not on a small collection, nor for cached words.)"""
    todo = [ev for ev in words if ev.scores is None]
    return sum(ev.matches for ev in todo) > 2 * k * sum(map(_lookups, todo))


def _summed(live: list, cands, some: dict, k: int, total: int):
    """:meth:`Ranker._top_pruned`'s answer: the ``cands`` scored in the query's word order (``live``:
    its words; a word's scores whole, or in ``some`` when only looked up), as :meth:`Ranker._scores`
    sums them, so the numbers are those of scoring every document."""
    scores: dict[int, float] = {}
    for d in cands:
        sc = 0.0
        for ev in live:
            s = (ev.scores if ev.scores is not None else some[id(ev)]).get(d)
            if s is not None:
                sc = sc + s
        scores[d] = sc
    return _top(scores, k), scores, total


def _top(scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    """The ``k`` best ``(docnum, score)`` by (-score, docnum): the same as the head of a full sort."""
    if k <= 0:
        return []
    if len(scores) <= k:
        return sorted(scores.items(), key=lambda x: (-x[1], x[0]))
    floor = heapq.nlargest(k, scores.values())[-1]
    best = [(d, s) for d, s in scores.items() if s >= floor]
    best.sort(key=lambda x: (-x[1], x[0]))
    return best[:k]


def ranker_for(searcher) -> Ranker:
    """The searcher's ranker (created once per searcher; its caches live as long as it)."""
    r = getattr(searcher, "_searchkz_ranker", None)
    if r is None:
        r = Ranker(searcher)
        searcher._searchkz_ranker = r
    return r
