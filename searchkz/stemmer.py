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
* Among the grammatical splits the stemmer prefers the shortest stem that is
  *attested*: a word of the shipped lexicon (built from KazNERD text), or for verb
  suffixes a verb root whose dictionary form (root + -у) is attested. When nothing
  is attested it falls back to the longest grammatical strip that keeps a stem of
  at least ``MIN_STEM`` letters with a vowel. Protected words stop the stripping.
* Stem-final alternations are restored before a vowel-initial suffix
  (кітаб-ы -> кітап, жүрег-і -> жүрек) and dropped vowels re-inserted
  (халқ-ы -> халық) via the lexicon and ``exceptions.VOWEL_DROP``.
"""

from __future__ import annotations

import gzip
import re
from importlib import resources

from searchkz.lang.kk import exceptions as _exc
from searchkz.lang.kk import suffixes as S
from searchkz.lang.kk.alphabet import BACK_VOWELS, FRONT_VOWELS, LETTERS
from searchkz.lang.kk.folding import FOLD

__all__ = ["ANALYZER_DATA_VERSION", "stem", "stem_folded", "fold", "CachedStemmer"]

#: Bump whenever stemming output changes (it goes into the index's analyzer version).
ANALYZER_DATA_VERSION = "kk-stem-2"

#: Shortest stem the fallback (unattested) path may leave.
MIN_STEM = 3
#: Shortest verb-only suffix chain the fallback path may strip from an unattested root.
MIN_VERBAL_FALLBACK = 4
#: Shortest stem at all.
MIN_ATTESTED_STEM = 2

# --------------------------------------------------------------------------------------
# The morphotactic grammar: class -> classes that may follow it (left to right).
# "$" marks a class that may end the word.

_NOUN_CASES = ("GEN", "DAT", "ACC", "LOC", "ABL", "INS")
_NOUN_CHAIN = ("PL", "P3", "P12", "PX") + _NOUN_CASES + ("LATTR", "SIM", "PRON")
_VERB_FORMS = ("PAST", "PRES", "PPART", "HAB", "AOR", "INT", "VN", "CONV", "COND", "DES", "IMP")

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
    "NEG": ("PAST", "PRES", "PPART", "HAB", "AORNEG", "VN", "COND", "IMP", "CONV"),
    "PAST": ("PS", "CLI", "$"),
    "PRES": ("PRES3", "PP", "$"),
    "PRES3": ("CLI", "$"),
    "PPART": _NOMINALIZED + ("PP", "PNOM", "CLI"),
    "HAB": _NOMINALIZED + ("PP", "PNOM", "CLI"),
    "AOR": _NOMINALIZED + ("PP", "CLI"),
    "INT": _NOMINALIZED + ("PP", "CLI"),
    "VN": _NOMINALIZED,
    "AORNEG": ("PP", "CLI", "$"),
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
# Lexicon (attested words), loaded lazily.


def _load_lexicon() -> tuple[frozenset, frozenset, frozenset]:
    """(attested words, verb roots, inferred noun stems) from lang/kk/lexicon.txt.gz."""
    try:
        data = resources.files("searchkz.lang.kk").joinpath("lexicon.txt.gz").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return frozenset(), frozenset(), frozenset()
    lines = gzip.decompress(data).decode("utf-8").split("\n")
    words = frozenset(w for w in lines if w and w[0] not in "#+=")
    verbs = frozenset(w[1:] for w in lines if w.startswith("+"))
    stems = frozenset(w[1:] for w in lines if w.startswith("="))
    return words, verbs, stems


class _Mode:
    """Everything one alphabet (Kazakh or folded) needs: chain table, lexicon, guards."""

    def __init__(self, fold_map=None):
        self.fold_map = fold_map
        self.tr = str.maketrans(fold_map) if fold_map else None
        self._chains = None
        self._lexicon = None
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
        self.letters = frozenset(f(c) for c in LETTERS) | {"-"}

    def _f(self, s: str) -> str:
        return s.translate(self.tr) if self.tr is not None else s

    @property
    def chains(self):
        if self._chains is None:
            self._chains = _build_chains(self.fold_map)
            self._maxlen = max(map(len, self._chains))
        return self._chains

    @property
    def lexicon(self):
        if self._lexicon is None:
            lex, verbs, stems = _load_lexicon()
            if self.tr is not None:
                lex = frozenset(w.translate(self.tr) for w in lex)
                verbs = frozenset(w.translate(self.tr) for w in verbs)
                stems = frozenset(w.translate(self.tr) for w in stems)
            self._verbs = verbs
            self._nouns = lex | stems
            self._lexicon = lex
        return self._lexicon

    @property
    def verbs(self):
        self.lexicon
        return self._verbs

    @property
    def nouns(self):
        self.lexicon
        return self._nouns


_KK = _Mode()
_FOLDED = _Mode(FOLD)
_FOLD_TABLE = str.maketrans(FOLD)


def _harmony_ok(stem: str, harmony: int, mode: _Mode) -> bool:
    if not harmony:
        return True
    back, front = mode.back, mode.front
    for ch in reversed(stem):
        if ch in back:
            return harmony == 1
        if ch in front:
            # Russian surnames and loans (тоқаев-тың, балаев-тың): a written е after
            # back vowels does not decide the harmony
            return harmony == 2 or (ch == "е" and any(c in mode.back_loose for c in stem))
    return True


def _stem(word: str, mode: _Mode) -> str:
    irr = mode.irregular.get(word)
    if irr is not None:
        return irr
    n = len(word)
    if n <= MIN_ATTESTED_STEM:
        return word
    chains = mode.chains
    lexicon = mode.lexicon
    verbs = mode.verbs
    nouns = mode.nouns
    protected = mode.protected
    vowels = mode.vowels
    if word in protected:
        return word
    best = None  # shortest attested stem so far (scanning long stems -> short)
    fallback = None  # shortest grammatical stem that passes the guards
    devoice = mode.devoice
    high_back, high_front = mode.high
    # candidate stems from longest (shortest suffix) to shortest
    for i in range(n - 1, MIN_ATTESTED_STEM - 1, -1):
        recs = chains.get(word[i:])
        if recs is None:
            continue
        base = word[:i]
        last = base[-1]
        valid = False
        for after, harmony, verbal, vowel_initial in recs:
            if last not in after or (harmony and not _harmony_ok(base, harmony, mode)):
                continue
            if vowel_initial:
                cands = []
                vd = mode.vowel_drop.get(base)
                if vd is not None:
                    cands.append(vd)
                dv = devoice.get(last)
                if dv is not None:
                    cands.append(base[:-1] + dv)
                cands.append(base)
                if vd is None and last not in vowels and base[-2] not in vowels:
                    h = high_front if _harmony_ok(base, 2, mode) and not _harmony_ok(base, 1, mode) else high_back
                    cands.append(base[:-1] + h + last)
            else:
                cands = (base,)
            attested = None
            for c in cands:
                if verbal:
                    if c in verbs:
                        attested = c
                        break
                elif c in nouns:
                    attested = c
                    break
            if attested is not None:
                best = attested
                valid = True
                break
            if not valid and (not verbal or (len(word) - i >= MIN_VERBAL_FALLBACK and recs[0][2])):
                c = cands[0]
                if len(c) >= MIN_STEM and any(ch in vowels for ch in c):
                    fallback = c
                    valid = True
        if valid and base in protected:
            break
    if best is not None:
        return best
    if fallback is not None and word not in lexicon:
        return fallback
    return word


_WORD_OK = re.compile(r"[а-яёәғқңөұүһі]+(?:-[а-яёәғқңөұүһі]+)*\Z")


def stem(word: str) -> str:
    """Stem one lowercase NFC Cyrillic Kazakh word.

    >>> stem("балаеваның")
    'балаева'
    """
    if not _WORD_OK.match(word):
        return word
    if "-" in word:
        head, _, tail = word.rpartition("-")
        return head + "-" + _stem(tail, _KK)
    return _stem(word, _KK)


def stem_folded(word: str) -> str:
    """Stem a word typed without Kazakh letters (ә→а қ→к і→и ...).

    >>> stem_folded("кенестеринин")
    'кенес'
    """
    if not _WORD_OK.match(word):
        return word
    if "-" in word:
        head, _, tail = word.rpartition("-")
        return head + "-" + _stem(tail, _FOLDED)
    return _stem(word, _FOLDED)


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
