"""A rule-based Kazakh stemmer: suffix chains stripped in the order Kazakh attaches them.

>>> stem("кеңестерінің")
'кеңес'
>>> stem("кітабы")
'кітап'

How it works
------------
* ``searchkz.lang.kk.suffixes`` lists the allomorphs of every inflectional class
  (plural, possessive, case, verb tenses ...). :func:`_build_chains` walks the
  morphotactic grammar below (which class may follow which) and expands it into
  one dict ``suffix chain -> ways it can attach`` (which letters the stem may end
  with, the harmony class it needs, whether it needs a verb root). Stemming a word
  is then one dict lookup per split point -- no regex loop per suffix.
* Among the grammatical splits the stemmer takes the *attested* stem with the most
  *support*: a noun stem is attested when it is a word of the shipped lexicon
  (KazNERD and KazQAD text) or a stem inferred from it, a verb root when the
  lexicon shows it with several verb endings; its support is the number of
  distinct lexicon words that analyse as that stem plus a grammatical suffix chain
  (the whole word counts as a candidate too). So ұйым (ұйым, ұйымдар, ұйымның ...)
  beats the accidental split ұйы-м, and ал (алды, алып, алған ...) beats ала for
  алады. Ties go to the longer stem. When nothing is attested it falls back to the
  shortest grammatical strip that keeps a stem of at least ``MIN_STEM`` letters
  with a vowel. Protected words and irregular forms (pronouns) come first.
* Stem-final alternations are restored before a vowel-initial suffix
  (кітаб-ы -> кітап, жүрег-і -> жүрек), dropped vowels re-inserted (халқ-ы ->
  халық, қорқ-ады -> қорық), and in verbs ы/і + -й = и (оқи-ды -> оқы) and ы/і + -у
  = у (оқ-у -> оқы) undone.
* The chain tables and the support counts, for Kazakh and for folded text, are
  precomputed into ``lang/kk/stemdata.txt.gz`` by ``python -m searchkz.bench.stemmer
  --build-data`` and decompressed per bucket on first use, so the first call costs
  milliseconds. In folded text (ұ ү -> у ...) the support is kept per harmony, so
  уйым-дар (ұйым) and уй-лер (үй) still find their own stems.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import zlib
from array import array

from searchkz.lang.kk import exceptions as _exc
from searchkz.lang.kk import suffixes as S
from searchkz.lang.kk.alphabet import BACK_VOWELS, FRONT_VOWELS
from searchkz.lang.kk.folding import FOLD

__all__ = ["ANALYZER_DATA_VERSION", "stem", "stem_folded", "fold", "CachedStemmer"]

#: Bump whenever stemming output changes (it goes into the index's analyzer version).
ANALYZER_DATA_VERSION = "kk-stem-6"

#: Shortest stem the fallback (unattested) path may leave.
MIN_STEM = 3
#: Shortest verb-only suffix chain the fallback path may strip from an unattested root.
MIN_VERBAL_FALLBACK = 4
#: Fewest lexicon words a derived noun (a stem + :data:`~searchkz.lang.kk.suffixes.DERIVED_NOUN_ENDINGS`)
#: needs to be kept whole.
MIN_DERIVED_SUPPORT = 3
#: Shortest stem at all.
MIN_ATTESTED_STEM = 2
#: Longest lexicon word of the data's table of short words (:func:`is_short_word`).
SHORT_WORD = 4

# --------------------------------------------------------------------------------------
# The morphotactic grammar: class -> classes that may follow it (left to right).
# "$" marks a class that may end the word.

_NOUN_CASES = ("GEN", "DAT", "ACC", "LOC", "ABL", "INS")
_NOUN_CHAIN = ("PL", "P3", "P12", "PX") + _NOUN_CASES + ("LATTR", "SIM", "PRON")
_VERB_FORMS = ("PAST", "PRES", "PPART", "HAB", "AOR", "INT", "VN", "CONV", "COND", "DES", "IMP", "CONVSINCE")

_CLASSES = {
    "PL": S.PLURAL,
    "P3": S.POSSESSIVE_3,
    "P12": S.POSSESSIVE_12_SG,
    "PX": S.POSSESSIVE_OTHER,
    "GEN": S.GENITIVE,
    "DAT": S.DATIVE,
    "ACC": S.ACCUSATIVE,
    "LOC": S.LOCATIVE,
    "ABL": S.ABLATIVE,
    "INS": S.INSTRUMENTAL,
    "CASE3": S.CASE_AFTER_POSSESSIVE_3,
    "DAT12": S.DATIVE_AFTER_POSSESSIVE_12,
    "LATTR": S.LOCATIVE_ATTRIBUTIVE,
    "LATTR3": S.LOCATIVE_ATTRIBUTIVE_AFTER_POSSESSIVE_3,
    "SIM": S.SIMILATIVE,
    "PRON": S.POSSESSIVE_PRONOMINAL,
    "PASS": S.PASSIVE,
    "NEG": S.NEGATION,
    "PAST": S.PAST,
    "PRES": S.PRESENT,
    "PRES3": S.PRESENT_3,
    "PPART": S.PARTICIPLE_PAST,
    "HAB": S.PARTICIPLE_HABITUAL,
    "AOR": S.AORIST,
    "AORNEG": S.AORIST_NEGATIVE,
    "INT": S.INTENTION,
    "VN": S.VERBAL_NOUN,
    "CONV": S.CONVERB,
    "CONVPERF": S.CONVERB_PERFECT,
    "CONVSINCE": S.CONVERB_SINCE,
    "COND": S.CONDITIONAL,
    "DES": S.DESIDERATIVE,
    "IMP": S.IMPERATIVE,
    "PNOM": S.PARTICIPLE_NOMINAL,
    "PS": S.PERSON_SHORT,
    "PP": S.PERSON_PREDICATIVE,
    "CLI": S.CLITIC,
}

_NOMINALIZED = _NOUN_CHAIN + ("$",)
_GRAMMAR = {
    "NOUN": _NOUN_CHAIN,
    "VERB": ("PASS", "NEG") + _VERB_FORMS,
    "PASS": ("NEG",) + _VERB_FORMS,
    "NEG": ("PAST", "PRES", "PPART", "HAB", "AORNEG", "VN", "COND", "IMP", "CONV", "CONVSINCE"),
    "PAST": ("PS", "CLI", "$"),
    "PRES": ("PRES3", "PP", "PS", "$"),
    "PRES3": ("CLI", "$"),
    "PPART": _NOMINALIZED + ("PP", "PNOM", "CLI"),
    "HAB": _NOMINALIZED + ("PP", "PNOM", "CLI"),
    "AOR": _NOMINALIZED + ("PP", "CLI"),
    "INT": _NOMINALIZED + ("PP", "CLI"),
    "VN": _NOMINALIZED,
    "AORNEG": ("PP", "CLI", "$", "P3", "P12", "PX") + _NOUN_CASES,  # болмасымды, алмастан: a participle too
    "CONVSINCE": ("$",),
    "CONV": ("CONVPERF", "PP", "$"),
    "CONVPERF": ("PS", "$"),
    "COND": ("PS", "CLI", "$"),
    "DES": ("P3", "P12", "PX"),
    "IMP": ("CLI", "$"),
    "PNOM": ("PL", "P3", "P12", "PX") + _NOUN_CASES,
    "PL": ("P3", "P12", "PX") + _NOUN_CASES + ("LATTR", "SIM", "$"),
    "P3": ("CASE3", "GEN", "INS", "LATTR3", "SIM", "$"),
    "P12": ("DAT12", "GEN", "ACC", "LOC", "ABL", "INS", "LATTR", "SIM", "$"),
    "PX": _NOUN_CASES + ("LATTR", "SIM", "$"),
    "GEN": ("$",),
    "DAT": ("$",),
    "ACC": ("$",),
    "LOC": ("$",),
    "ABL": ("$",),
    "INS": ("$",),
    "CASE3": ("$",),
    "DAT12": ("$",),
    "LATTR": ("PL", "P3", "GEN", "DAT", "ACC", "LOC", "ABL", "INS", "$"),
    "LATTR3": ("PL", "P3", "GEN", "DAT", "ACC", "LOC", "ABL", "INS", "$"),
    "SIM": ("$",),
    "PRON": ("$",),
    "PS": ("CLI", "$"),
    "PP": ("CLI", "$"),
    "CLI": ("$",),
}

_MAX_MORPHEMES = 6
_MAX_CHAIN = 16

_VOWELS = frozenset(S.VOWEL)
_DEVOICE = {"б": "п", "г": "к", "ғ": "қ"}
_HIGH = {0: "ы", 1: "ы", 2: "і"}


def _build_chains(fold_map=None):
    """Expand the grammar into ``{chain: ((after, harmony, verbal, vowel_initial), ...)}``.

    harmony: 0 = either, 1 = back stem, 2 = front stem.
    """
    tr = str.maketrans(fold_map) if fold_map else None
    found: dict[str, set] = {}

    def walk(state, harmony, chain, after, verbal, depth):
        for nxt in _GRAMMAR[state]:
            if nxt == "$":
                if chain:
                    found.setdefault(chain, set()).add((after, harmony, verbal, chain[0] in _VOWELS))
                continue
            if depth >= _MAX_MORPHEMES:
                continue
            for back, front, need in _CLASSES[nxt]:
                form = back if harmony == 1 else front
                if len(chain) + len(form) > _MAX_CHAIN:
                    continue
                if chain:
                    if chain[-1] not in need:
                        continue
                    walk(nxt, harmony, chain + form, after, verbal, depth + 1)
                else:
                    walk(nxt, harmony, form, need, verbal, depth + 1)

    for harmony in (1, 2):
        walk("NOUN", harmony, "", "", False, 0)
        walk("VERB", harmony, "", "", True, 0)

    table = {}
    for chain, recs in found.items():
        merged = set()
        for after, harmony, verbal, vi in recs:
            other = (after, 3 - harmony, verbal, vi)
            merged.add((after, 0 if other in recs else harmony, verbal, vi))
        if tr is not None:
            chain = chain.translate(tr)
            merged = {(a.translate(tr), h, v, vi) for a, h, v, vi in merged}
            merged |= set(table.get(chain, ()))
        table[chain] = tuple(
            (frozenset(a), h, v, vi) for a, h, v, vi in sorted(merged, key=lambda r: (r[2], r[1]))
        )
    return table


# --------------------------------------------------------------------------------------
# Lexicon and the precomputed tables.
#
# ``lang/kk/lexicon.txt.gz`` is the word list (the *source*); ``lang/kk/stemdata.json.gz``
# holds what stemming needs, precomputed from the grammar and the lexicon by
# ``python -m searchkz.bench.stemmer --build-data`` (a test checks it equals a fresh
# build): for the Kazakh and the folded alphabet, the suffix-chain table and the
# support of every attested stem. Loading it takes a few milliseconds; building it
# takes a few seconds, which is what the first stem() call would otherwise pay.

STEMDATA_FILE = "stemdata.txt.gz"
LEXICON_FILE = "lexicon.txt.gz"
_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lang", "kk")


def _read_package_file(name: str) -> bytes | None:
    try:
        with open(os.path.join(_DATA_DIR, name), "rb") as fh:
            return fh.read()
    except OSError:
        pass
    try:  # a zipped install
        from importlib import resources

        return resources.files("searchkz.lang.kk").joinpath(name).read_bytes()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None


def _lexicon_text(data: bytes | None = None) -> str:
    if data is None:
        data = _read_package_file(LEXICON_FILE)
    return "" if data is None else gzip.decompress(data).decode("utf-8")


def load_lexicon(data: bytes | None = None) -> tuple[frozenset, frozenset, frozenset]:
    """(attested words, verb roots, inferred noun stems) from lang/kk/lexicon.txt.gz."""
    lines = _lexicon_text(data).split("\n")
    words = frozenset(w for w in lines if w and w[0] not in "#+=")
    verbs = frozenset(w[1:] for w in lines if w.startswith("+"))
    stems = frozenset(w[1:] for w in lines if w.startswith("="))
    return words, verbs, stems


def _short_words(words) -> dict:
    """The table of the attested words of at most :data:`SHORT_WORD` letters (kind "W")."""
    return {w: 1 for w in words if len(w) <= SHORT_WORD}


_EMPTY: dict = {}


#: A suffix chain's bucket is its last CHAIN_KEY letters (the whole chain if shorter), a stem's
#: its first STEM_KEY (:func:`_bucket_key`; the hot paths slice with these directly).
CHAIN_KEY, STEM_KEY = 3, 2


def _bucket_key(kind: str, key: str) -> str:
    """The bucket of a table entry."""
    return key[-CHAIN_KEY:] if kind == "C" else key[:STEM_KEY]


#: The tables: suffix chains ("C"), noun and verb stems' support ("N", "V"), the folded alphabet's
#: per-harmony overrides ("NB", "NF", "VB", "VF") and the lexicon's short words ("W").
_KINDS = ("C", "N", "V", "NB", "NF", "VB", "VF", "W")


class _Table:
    """One stem table of a mode (kind "N", "V", ...), looked up entry by entry in its buckets."""

    __slots__ = ("decoded", "bucket", "kind")

    def __init__(self, mode: "_Mode", kind: str) -> None:
        self.decoded = mode._buckets[kind]
        self.bucket = mode.bucket
        self.kind = kind

    def get(self, key: str):
        head = key[:STEM_KEY]
        b = self.decoded.get(head)
        if b is None:
            b = self.bucket(self.kind, head)
        return b.get(key)


class _Mode:
    """Everything one alphabet (Kazakh or folded) needs: chain table, support, guards.

    The tables are split into buckets (:func:`_bucket_key`) -- suffix chains by their last
    three letters, stems by their first two -- decoded on first use: a word only needs the
    chains ending in its last one, two and three letters and the stems starting with its
    first two, so a one-shot search decodes a few small buckets instead of whole tables."""

    def __init__(self, fold_map=None, name="kk"):
        self.fold_map = fold_map
        self.name = name
        self.tr = str.maketrans(fold_map) if fold_map else None
        self._raw = None  # (kind, key) -> its index entry (see _load_stemdata)
        self._body = None  # the data file's buckets
        self._records = None
        self._buckets: dict = {kind: {} for kind in _KINDS}  # kind -> {bucket key: decoded bucket}
        self.tables = t = {kind: _Table(self, kind) for kind in _KINDS if kind != "C"}
        # folded mode: {verbal: {harmony: overrides}} for stems whose support differs by harmony
        # (ұй- back, үй- front both fold to уй-); None in the Kazakh alphabet, where the harmony
        # check on the stem decides
        self.by_harmony = {False: {1: t["NB"], 2: t["NF"]}, True: {1: t["VB"], 2: t["VF"]}} if fold_map else None
        f = self._f
        if fold_map:
            # folded text: ы е э я and unambiguous letters keep their class
            self.back = frozenset(v for v in BACK_VOWELS if v not in fold_map.values() and v not in fold_map)
            self.front = frozenset(v for v in FRONT_VOWELS if v not in fold_map)
        else:
            self.back = BACK_VOWELS
            self.front = FRONT_VOWELS
        self.vowels = frozenset(f(v) for v in _VOWELS)
        self.back_loose = frozenset(f(v) for v in BACK_VOWELS)
        self.irregular = {f(k): f(v) for k, v in _exc.IRREGULAR.items()}
        self.protected = frozenset(f(w) for w in _exc.PROTECTED)
        self.vowel_drop = {f(k): f(v) for k, v in _exc.VOWEL_DROP.items()}
        self.devoice = {f(k): f(v) for k, v in _DEVOICE.items()}
        self.high = (f("ы"), f("і"))
        self.glide_y = f("й")
        self.glide_i = f("и")
        self.vn = f("у")
        self.front_consonants = "кг" if fold_map is None else ""  # (folded text: к is also қ)
        self.surname_ending = f(S.SURNAME_ENDING)

    def _f(self, s: str) -> str:
        return s.translate(self.tr) if self.tr is not None else s

    def set_tables(self, chains, nouns, verbs, extra=None):
        """Use in-memory tables (the build, or no shipped data file)."""
        self._raw = {}
        for decoded in self._buckets.values():
            decoded.clear()
        for kind, table in (("C", chains), ("N", nouns), ("V", verbs)) + tuple((extra or {}).items()):
            by_key: dict = {}
            for k, v in table.items():
                by_key.setdefault(_bucket_key(kind, k), {})[k] = v
            for key, d in by_key.items():
                self._buckets[kind][key] = d

    def _load(self):
        raw = _load_stemdata()
        if raw is not None and self.name in raw:
            records, self._raw, self._body = raw[self.name]
            self._records = [
                tuple((frozenset(a), h, bool(v), bool(vi)) for a, h, v, vi in recs) for recs in records
            ]
        else:  # no shipped tables (a source checkout being rebuilt): build them now
            kk = _Mode(None, "kk")
            kk.set_tables(_build_chains(None), {}, {})
            lexicon = load_lexicon()
            nouns, verb_sup = _build_support(kk, *lexicon)
            if self.fold_map:
                tables = _folded_tables(nouns, verb_sup, self.tr)
                self.set_tables(_build_chains(self.fold_map), tables.pop("N"), tables.pop("V"), tables)
            else:
                self.set_tables(_build_chains(None), nouns, verb_sup, {"W": _short_words(lexicon[0])})

    def bucket(self, kind: str, key: str) -> dict:
        """The chains (kind "C") / noun ("N") or verb ("V") stems of bucket ``key`` (:func:`_bucket_key`)."""
        got = self._buckets[kind].get(key)
        if got is not None:
            return got
        if self._raw is None:
            self._load()
            return self.bucket(kind, key)
        raw = self._raw.get((kind, key))
        if raw is None:
            d = _EMPTY
        else:
            off, length, keys_len, typecode = raw.split("\t")
            off, keys_len = int(off), int(keys_len)
            data = zlib.decompress(self._body[off:off + int(length)], 31)
            keys = data[:keys_len].decode("utf-8")
            values = array(typecode, data[keys_len:])
            if sys.byteorder != "little":
                values.byteswap()
            if kind == "C":
                values = map(self._records.__getitem__, values)
            d = dict(zip(keys.split(" "), values))
        self._buckets[kind][key] = d
        return d

    def chain(self, chain: str):
        """A suffix chain's records (None: no chain)."""
        return self.bucket("C", chain[-CHAIN_KEY:]).get(chain)


_STEMDATA = None


def _load_stemdata():
    """{mode: (records, {(kind, key): index entry}, buckets)} from lang/kk/stemdata.txt.gz.

    The file is a series of gzip members: the first holds the index -- ``mode kind
    key offset length keys_length typecode`` per bucket, offsets counted from the
    end of the first member; each bucket's entry is kept as text, parsed on its first
    use -- and the records; every bucket is a member of its own,
    decompressed when a word first needs it: its keys (UTF-8, space-separated), then
    their values as little-endian unsigned integers (:mod:`array` ``typecode``: no
    number to parse: a third less time than a text of numbers)."""
    global _STEMDATA
    if _STEMDATA is None:
        raw = _read_package_file(STEMDATA_FILE)
        if raw is None:
            return None
        d = zlib.decompressobj(31)
        header = d.decompress(raw)
        body = memoryview(raw)[len(raw) - len(d.unused_data):]
        out: dict = {}
        for line in header.decode("utf-8").split("\n"):
            if not line or line[0] == "#":
                continue
            mode, kind, key, rest = line.split("\t", 3)
            entry = out.get(mode)
            if entry is None:
                entry = out[mode] = ([], {}, body)
            if kind == "R":
                entry[0].extend(json.loads(rest))
            else:
                entry[1][kind, key] = rest
        _STEMDATA = out
    return _STEMDATA


def _encode_mode(name, chains, nouns, verbs, extra=None):
    """One mode's tables: (records line, [(kind, bucket key, keys, values)]), sorted."""
    rec_index: dict = {}
    chain_idx = {}
    for k in sorted(chains):
        recs = tuple(("".join(sorted(a)), h, int(v), int(vi)) for a, h, v, vi in chains[k])
        chain_idx[k] = rec_index.setdefault(recs, len(rec_index))
    records = [list(map(list, r)) for r in sorted(rec_index, key=rec_index.get)]
    head = f"{name}\tR\t-\t" + json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    tables = [("C", chain_idx), ("N", nouns), ("V", verbs)] + sorted((extra or {}).items())
    out = []
    for kind, table in tables:
        buckets: dict = {}
        for k in sorted(table):
            buckets.setdefault(_bucket_key(kind, k), []).append(k)
        for key in sorted(buckets):
            ks = buckets[key]
            out.append((kind, key, " ".join(ks), [table[k] for k in ks]))
    return head, out


def _folded_tables(nouns: dict, verbs: dict, tr) -> dict:
    """Support in the folded alphabet: the Kazakh counts summed over the stems that
    fold together ("N", "V"), and where that sum mixes harmonies, the sums over the
    back-harmony ("NB", "VB") and front-harmony ("NF", "VF") Kazakh stems alone."""
    out = {}
    for kind, table in (("N", nouns), ("V", verbs)):
        total: dict[str, int] = {}
        by_h = ({}, {})
        for w, n in table.items():
            k = w.translate(tr)
            total[k] = total.get(k, 0) + n
            for h, d in zip((1, 2), by_h):
                if _harmony_ok(w, h, _KK):
                    d[k] = d.get(k, 0) + n
        out[kind] = total
        for suffix, d in zip("BF", by_h):
            out[kind + suffix] = {k: d.get(k, 0) for k in total if d.get(k, 0) != total[k]}
    return out


def build_stemdata(lexicon=None) -> bytes:
    """Build lang/kk/stemdata.txt.gz (bytes) from the grammar and the lexicon."""
    words, verbs, stems = load_lexicon() if lexicon is None else lexicon
    kk = _Mode(None, "kk")
    chains_kk = _build_chains(None)
    kk.set_tables(chains_kk, {}, {})
    nouns_kk, verbs_kk = _build_support(kk, words, verbs, stems)
    # the folded alphabet: the same counts, summed over the stems that fold together
    tr = str.maketrans(FOLD)
    modes = [("kk", _encode_mode("kk", chains_kk, nouns_kk, verbs_kk, {"W": _short_words(words)}))]
    folded = _folded_tables(nouns_kk, verbs_kk, tr)
    modes.append(("folded", _encode_mode("folded", _build_chains(FOLD), folded.pop("N"), folded.pop("V"), folded)))
    index = [f"# searchkz Kazakh stemmer tables {ANALYZER_DATA_VERSION}: generated by "
             "python -m searchkz.bench.stemmer --build-data; do not edit"]
    members = []
    offset = 0
    for name, (head, buckets) in modes:
        index.append(head)
        for kind, bucket_key, keys, values in buckets:
            keys = keys.encode("utf-8")
            values = array("H" if max(values) < 1 << 16 else "I", values)
            if sys.byteorder != "little":
                values.byteswap()
            member = gzip.compress(keys + values.tobytes(), 9, mtime=0)
            index.append(f"{name}\t{kind}\t{bucket_key}\t{offset}\t{len(member)}\t{len(keys)}\t{values.typecode}")
            members.append(member)
            offset += len(member)
    return gzip.compress(("\n".join(index) + "\n").encode("utf-8"), 9, mtime=0) + b"".join(members)


def _build_support(mode, words, verbs, stems):
    """Support of each attested stem: how many distinct lexicon words analyse as it.

    A noun stem is attested when it is a lexicon word or an inferred stem, a verb
    root when it is a verb root of the lexicon. Each lexicon word adds 1 to every
    attested stem it can be analysed as (itself included), so a stem with a whole
    paradigm behind it (ұйым: ұйымдар, ұйымның ...) outweighs an accidental split
    (ұйы-м). A word that a longer noun stem explains does not count for a shorter
    verb root: жері, жерге ... vouch for жер, not for же- "eat" (же-р-і)."""
    nouns = frozenset(words) | frozenset(stems)
    verbs = frozenset(verbs)
    noun_sup: dict[str, int] = dict.fromkeys(nouns, 0)
    verb_sup: dict[str, int] = dict.fromkeys(verbs, 0)
    for w in sorted(words):
        seen_n = {w}
        seen_v = {w} if w in verbs else set()
        for verbal, cands, _rest, _vonly, _h in _splits(w, mode):
            for c in cands:
                if verbal:
                    if c in verbs:
                        seen_v.add(c)
                        break
                elif c in nouns:
                    seen_n.add(c)
                    break
        for c in seen_n:
            noun_sup[c] += 1
        # a word that a longer noun stem explains (жер-і) does not also vouch for a
        # shorter verb root (же-р-і)
        longest_noun = max((len(c) for c in seen_n if c != w), default=0)
        for c in seen_v:
            if len(c) >= longest_noun:
                verb_sup[c] += 1
    return {k: n for k, n in noun_sup.items() if n}, {k: n for k, n in verb_sup.items() if n}


_KK = _Mode(None, "kk")
_FOLDED = _Mode(FOLD, "folded")
_FOLD_TABLE = str.maketrans(FOLD)


def _harmony_ok(stem: str, harmony: int, mode: _Mode) -> bool:
    if not harmony:
        return True
    back, front = mode.back, mode.front
    if harmony == 2 and stem[-1:] in mode.front_consonants:  # банк-тің, парк-ке: a native back word ends in қ/ғ, not к/г
        return True
    if harmony == 2 and len(stem) > 4 and stem.endswith(mode.surname_ending):  # (S.SURNAME_ENDING)
        stem = stem[: -len(mode.surname_ending)]
    for ch in reversed(stem):
        if ch in back:
            return harmony == 1
        if ch in front:
            # Russian surnames and loans (тоқаев-тың, балаев-тың): a written е after
            # back vowels does not decide the harmony
            return harmony == 2 or (ch == "е" and any(c in mode.back_loose for c in stem))
    return True


def _high_vowel(base: str, mode: _Mode) -> str:
    """ы after a back (or undecided) stem, і after a front one."""
    return mode.high[1] if _harmony_ok(base, 2, mode) and not _harmony_ok(base, 1, mode) else mode.high[0]


def _splits(word: str, mode: _Mode):
    """Every grammatical split of ``word``, longest stem first: ``(verbal, candidate
    stems in order of preference, suffix length, verb-only chain, harmony)``.

    Candidates restore what the boundary changed:
    * a voiced stem end before a vowel: кітаб-ы -> кітап, жүрег-і -> жүрек;
    * a dropped high vowel: халқ-ы -> халық, қорқ-ады -> қорық (exceptions.VOWEL_DROP
      first, then ы/і re-inserted into a final consonant cluster);
    * verbs: п -> у before a vowel (тау-ып -> тап), a root-final ы/і merged into
      the verbal noun -у (оқ-у -> оқы), and ы/і + present -й written и
      (оқи-ды -> оқы).
    """
    vowels = mode.vowels
    devoice = mode.devoice
    vowel_drop = mode.vowel_drop
    vn = mode.vn
    glide_i = mode.glide_i
    chains = mode.bucket("C", word[-CHAIN_KEY:])  # the chains of CHAIN_KEY letters or more that can end the word
    short = mode._buckets["C"]  # (a chain shorter than CHAIN_KEY is a bucket's key: mode.chain inlined)
    for i in range(len(word) - 1, MIN_ATTESTED_STEM - 1, -1):
        rest = word[i:]
        base = word[:i]
        last = base[-1]
        if len(rest) >= CHAIN_KEY:
            recs = chains.get(rest)
        else:
            b = short.get(rest)
            recs = (b if b is not None else mode.bucket("C", rest)).get(rest)
        if recs is not None:
            for after, harmony, verbal, vowel_initial in recs:
                if last not in after or (harmony and not _harmony_ok(base, harmony, mode)):
                    continue
                if vowel_initial:
                    cands = []
                    vd = vowel_drop.get(base)
                    if vd is not None:
                        cands.append(vd)
                    dv = devoice.get(last)
                    if dv is not None:
                        cands.append(base[:-1] + dv)
                    cands.append(base)
                    if vd is None and last not in vowels and base[-2] not in vowels:
                        cands.append(base[:-1] + _high_vowel(base, mode) + last)
                    if verbal and last == vn and base[-2] in vowels:
                        cands.append(base[:-1] + "п")
                else:
                    cands = [base]
                if verbal and rest[0] == vn and last not in vowels:
                    cands.append(base + _high_vowel(base, mode))
                yield verbal, cands, len(rest), recs[0][2], harmony
        if last == glide_i and i > MIN_ATTESTED_STEM:
            recs = mode.chain(mode.glide_y + rest)
            if recs is not None and base[-2] not in vowels:
                for after, harmony, verbal, vowel_initial in recs:
                    if verbal:
                        stem_ = base[:-1]
                        yield True, [stem_ + _high_vowel(stem_, mode)], len(rest) + 1, True, harmony
                        break


class _HarmonyView:
    """A support table with per-harmony overrides (folded stems of mixed harmony)."""

    __slots__ = ("base", "override")

    def __init__(self, base, override):
        self.base = base
        self.override = override

    def get(self, key):
        n = self.override.get(key)
        return self.base.get(key) if n is None else n


def _soft_sign_stem(word: str, mode: _Mode, nouns) -> str | None:
    """A loan ending in the soft sign with Kazakh noun suffixes after it: the loan (``апрельде``,
    ``израильдің``, ``лагерьлерінде``, ``Тянь-Шаньның`` -> ``апрель``, ``израиль``, ``лагерь``,
    ``тянь-шань``), or None.  The grammar's letter classes never see a stem end in ь (no native
    word does), so these were left whole.  The suffixes follow the consonant before ь
    (``медаль-ді``, ``ухань-нан``) in either harmony (``корольге``, ``корольдың``).  Not when the
    chain needs a vowel before it (``филь-мде``: ``фильм``), nor for a word with a paradigm of its
    own in the lexicon (``польша``: not ``поль`` + ``ша``)."""
    i = word.rfind("ь")
    if i < MIN_STEM or i == len(word) - 1 or (nouns.get(word) or 0) >= MIN_DERIVED_SUPPORT:
        return None
    rest = word[i + 1:]
    before = word[i - 1]
    for after, _harmony, verbal, _vowel_initial in mode.chain(rest) or ():
        if not verbal and before in after:
            return word[: i + 1]
    return None


_DERIVED_ENDS = frozenset(S.DERIVED_NOUN_ENDINGS + S.DERIVED_NOUN_NEGATION_LIKE)  # (two letters each: a test checks)


def _stem(word: str, mode: _Mode) -> str:
    irr = mode.irregular.get(word)
    if irr is not None:
        return irr
    if len(word) <= MIN_ATTESTED_STEM:
        return word
    if word in mode.protected:
        return word
    nouns = mode.tables["N"]
    if "ь" in word:
        soft = _soft_sign_stem(word, mode, nouns)
        if soft is not None:
            return soft
    verbs = mode.tables["V"]
    vowels = mode.vowels
    # the attested stem with the most support wins; on a tie the longer stem
    best = None
    best_support = 0
    n = nouns.get(word)
    if n:
        best, best_support = word, n
    n = verbs.get(word)
    if n and n > best_support:
        best, best_support = word, n
    fallback = None  # shortest grammatical stem that passes the guards
    by_harmony = mode.by_harmony
    for verbal, cands, suffix_len, verb_only, harmony in _splits(word, mode):
        table = verbs if verbal else nouns
        if by_harmony is not None and harmony:
            # folded text: only the stems whose Kazakh spelling takes this harmony count
            table = _HarmonyView(table, by_harmony[verbal][harmony])
        for c in cands:
            n = table.get(c)
            if n:
                if n > best_support:
                    best, best_support = c, n
                break
        else:
            if best is None and (not verbal or (suffix_len >= MIN_VERBAL_FALLBACK and verb_only)):
                c = cands[0]
                if len(c) >= MIN_STEM and any(ch in vowels for ch in c):
                    fallback = c
    if best is not None:
        # a derived noun of the lexicon is not cut to its verb (қысым, шығарма); every ending has two letters
        end = word[len(best):len(best) + 2]
        if end in _DERIVED_ENDS and word.startswith(best):
            longer = best + end
            if (nouns.get(longer) or 0) >= MIN_DERIVED_SUPPORT and (
                    end in S.DERIVED_NOUN_ENDINGS or word[len(longer):].startswith(S.NOUN_ONLY_AFTER_VOWEL)):
                return longer
        return best
    if fallback is not None:
        return fallback
    return word


_WORD_OK = re.compile(r"[а-яёәғқңөұүһі]+(?:-[а-яёәғқңөұүһі]+)*\Z")


def _stem_word(word: str, tables) -> str:
    """Stem with ``tables``; a hyphenated word keeps its head and stems its last part."""
    if not _WORD_OK.match(word):
        return word
    if "-" in word:
        head, _, tail = word.rpartition("-")
        return head + "-" + _stem(tail, tables)
    return _stem(word, tables)


def stem(word: str) -> str:
    """Stem one lowercase NFC Cyrillic Kazakh word.

    >>> stem("балаеваның")
    'балаева'
    """
    return _stem_word(word, _KK)


def stem_folded(word: str) -> str:
    """Stem a word typed without Kazakh letters (ә→а қ→к і→и ...).

    >>> stem_folded("кенестеринин")
    'кенес'
    """
    return _stem_word(word, _FOLDED)


def stem_heads(stems, folded: bool = False) -> tuple:
    """What a word must begin with to have one of ``stems`` as its stem (:func:`may_stem_to`;
    ``folded``: as its :func:`stem_folded`): each stem but its last letter, and a stem ending in
    a high vowel and a consonant without that vowel (халық: халқ-ы)."""
    high = (_FOLDED if folded else _KK).high
    heads = set()
    for s in stems:
        heads.add(s[:-1])
        if s[-2:-1] in high:
            heads.add(s[:-2] + s[-1])
    return tuple(sorted(heads))


def may_stem_to(word: str, heads: tuple, folded: bool = False) -> bool:
    """False only if the stem of ``word`` (lowercase, NFC; with ``folded``: folded, its
    :func:`stem_folded`) is none of the stems of ``heads`` (:func:`stem_heads`), without
    stemming it.  A stem is the word, an irregular lemma, or a beginning of the word with at most
    its last letter changed or one added (кітаб-ы -> кітап, оқ-у -> оқы), or a high vowel put
    before its last consonant (халқ-ы -> халық): the word begins with the stem but its last
    letter, or but that vowel (tests check the vowel-drop table, every word of the bundled
    corpus in both alphabets and every context of :func:`~searchkz.analysis.analyze_word`).

    >>> may_stem_to("қоғамдағы", stem_heads({"қоғам"})), may_stem_to("қолы", stem_heads({"қоғам"}))
    (True, False)
    """
    return word in (_FOLDED if folded else _KK).irregular or word.startswith(heads)


def is_suffix_chain(chain: str) -> bool:
    """Is ``chain`` a whole grammatical chain of noun suffixes (plural, possessive, case,
    extras)?  Hyphenated endings (АҚШ-тың, ҮЕҰ-лардың) are checked with it; harmony and the
    sound before are not, since they follow how the acronym or number is pronounced.

    >>> is_suffix_chain("лардың"), is_suffix_chain("сұлтан")
    (True, False)
    """
    if not chain:
        return False
    recs = _KK.chain(chain)
    return recs is not None and any(not verbal for _a, _h, verbal, _v in recs)


def is_short_word(word: str) -> bool:
    """Is ``word`` (lowercase) a word of the lexicon of at most :data:`SHORT_WORD` letters?

    >>> is_short_word("жыл"), is_short_word("қр")
    (True, False)
    """
    return len(word) <= SHORT_WORD and _KK.tables["W"].get(word) is not None


def fold(word: str) -> str:
    """Fold Kazakh-specific letters to their Russian-layout look-alikes.

    >>> fold("қазақстан")
    'казакстан'
    """
    return word.translate(_FOLD_TABLE)


class CachedStemmer:
    """A stem function wrapped in a plain dict cache, cleared when full.

    >>> CachedStemmer()("кітаптар")
    'кітап'
    """

    __slots__ = ("fn", "maxsize", "cache")

    def __init__(self, fn=stem, maxsize: int = 200_000):
        self.fn = fn
        self.maxsize = maxsize
        self.cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        try:
            return self.cache[word]
        except KeyError:
            pass
        if len(self.cache) >= self.maxsize:
            self.cache.clear()
        result = self.cache[word] = self.fn(word)
        return result
