"""Acronyms and their full names: which written words are acronyms, where a full name
occurs in analyzed text, and the definitions an archive makes itself.

* An acronym's index term is its capitals (``БҰҰ``, ``ҚазҰУ`` -> ``ҚАЗҰУ``): it never meets a
  lowercase word stem that happens to be spelled alike (БАҚ "mass media" / бақ "luck").
* Where a known full name occurs (its words, inflected, in a row: ``Біріккен Ұлттар
  Ұйымының``), the analyzer also indexes the acronym's term at its first word's position
  (the body and title fields, not ``exact``): an acronym query finds the spelled-out name as
  one word, and the articles that write the acronym rank first by their exact form.
* A text's own definitions, ``full name (ACR)`` or ``ACR (full name)``, with the initials
  checked (function words may be skipped), are indexed as a marker term of the ``exact``
  field (:data:`MARKER` + acronym + MARKER + full name): the index keeps them, a reindex
  (full or incremental, deletions too) updates them, and a search reads them back with one
  prefix walk of the term table (:func:`learned`).
"""

from __future__ import annotations

import functools
import re
import threading
import weakref

from searchkz.lang.kk.acronyms import ACRONYMS
from searchkz.lang.kk.alphabet import KAZAKH_SPECIFIC
from searchkz.stemmer import SHORT_WORD, is_short_word

#: Begins the ``exact`` term of an archive's own acronym definition (no word contains it).
MARKER = "\x01"
_MAX_LETTERS = 6
_LOWER = "а-яё" + "".join(sorted(KAZAKH_SPECIFIC))  # (Kazakh Cyrillic, as character-class ranges)
_UPPER = _LOWER.upper()
# "(ҚК)", "(ҚазҰУ)": an acronym in parentheses; "ҚК (қоғамдық кеңес)": a name after one
_DEF_AFTER_RE = re.compile(rf"\(\s*([{_UPPER}][{_UPPER}{_LOWER}]{{1,7}})\s*\)")
_DEF_BEFORE_RE = re.compile(rf"(?<![\w])([{_UPPER}][{_UPPER}{_LOWER}]{{1,7}})\s*\(([^()]{{3,120}})\)")
_TEXT_WORD_RE = re.compile(rf"[{_UPPER}{_LOWER}]+(?:-[{_UPPER}{_LOWER}]+)*")


def key(acronym: str) -> str:
    """The index term of an acronym: its letters in capitals."""
    return acronym.upper()


@functools.cache
def _known() -> frozenset:
    return frozenset(key(a) for a in ACRONYMS)


def is_acronym(raw: str, norm: str | None = None) -> bool:
    """Is this written word an acronym: in the table with two or more capitals (``ҚазҰУ``), or in
    capitals, 2-4 letters, and no Kazakh word (an all-caps headline's ``ЖЫЛ`` is a word).
    ``norm``: its normalized form (look-alike letters repaired), when known."""
    upper = sum(1 for c in raw if c.isupper())
    if upper < 2 or not raw.isalpha():
        return False
    low = norm if norm is not None else raw.lower()
    if key(low) in _known():
        return True
    return upper == len(raw) and len(raw) <= SHORT_WORD and not is_short_word(low)


def is_known(word: str) -> bool:
    """Is ``word`` (any case) an acronym of the table?"""
    return key(word) in _known()


@functools.cache
def _names_by_head() -> dict:
    """``{first two letters of a full name's first content word: [(name, ACRONYM)]}`` of the table
    (no stemming: a stem begins with its word's first two letters)."""
    from searchkz.lang.kk.stop_words import STOP_WORDS

    out: dict = {}
    for acr, names in ACRONYMS.items():
        for name, _src in names:
            first = next((w for w in _TEXT_WORD_RE.findall(name.lower()) if w not in STOP_WORDS), "")
            if first:
                out.setdefault(first[:2], []).append((name, key(acr)))
    return out


_TABLE: dict = {}  # {first stem: [(stems of the full name's kept words, ACRONYM)]} of the loaded heads
_LOADED: set = set()
_LOADING = threading.Lock()  # (a server's threads: each head's names added once)


def _full_names(stems=None) -> dict:
    """The table's full names by first stem: all of them (``stems`` None), or at least those that
    can begin at one of ``stems``, stemmed on first need (stemming all ~190 names took 0.1 s of a
    one-shot search: most of the stemmer's data decoded)."""
    heads = _names_by_head()
    if len(_LOADED) < len(heads):
        wanted = heads.keys() if stems is None else {s[:2].lower() for s in stems}
        if wanted - _LOADED:
            with _LOADING:
                for h in wanted - _LOADED:
                    for name, acr in heads.get(h, ()):
                        ns = name_stems(name)
                        if ns:
                            _TABLE.setdefault(ns[0], []).append((ns, acr))
                    _LOADED.add(h)
    return _TABLE


@functools.lru_cache(maxsize=8192)  # (every search looks up the archive's learned names again)
def name_stems(name: str) -> tuple:
    """The stems of a full name's words that the index keeps (stop words dropped)."""
    from searchkz.analysis import word_spans

    return tuple(a.stem for _s, _e, a in word_spans(name) if not a.stop)


@functools.cache
def _by_key() -> dict[str, list[tuple[str, str]]]:
    """The table by :func:`key`: ``{ACRONYM: [(full name, source), ...]}``."""
    out: dict = {}
    for acr, names in ACRONYMS.items():
        out.setdefault(key(acr), []).extend(names)
    return out


def full_names(acronym: str) -> list[str]:
    """The table's full names of an acronym (any case)."""
    return [n for n, _s in _by_key().get(key(acronym), ())]


def meanings(acronym: str) -> list[str]:
    """The table's full names of an acronym but its ``usage`` lines: another wording of a name
    listed (жоғарғы оқу орны for ЖОО) is no other meaning."""
    return [n for n, s in _by_key().get(key(acronym), ()) if s != "usage"]


def find_names(stems: list, local: dict | None = None, query: bool = False) -> list[tuple[int, int, str]]:
    """``(first, end, ACRONYM)`` for every full name whose stems occur in a row in ``stems``
    (the table's and ``local``'s: ``{first stem: [(stems, ACRONYM)]}``).  The hot path of
    indexing: one dict lookup a word in a comprehension, sequences compared only where a name
    can begin.  ``query``: a query's few stems (only the names they can begin are stemmed)."""
    table = _full_names(stems if query else None)
    if local:
        table = {**table, **{k: table.get(k, []) + v for k, v in local.items()}}
    get = table.get
    out = []
    for i, cands in [(i, c) for i, s in enumerate(stems) if (c := get(s)) is not None]:
        for seq, acr in cands:
            if tuple(stems[i : i + len(seq)]) == seq:
                out.append((i, i + len(seq), acr))
    return out


# -- an archive's own definitions ----------------------------------------------------------


def _initials_match(words: list[str], letters: str) -> bool:
    """Do ``words`` spell ``letters`` by their initials, function words allowed to be skipped?"""
    from searchkz.lang.kk.stop_words import STOP_WORDS

    def go(i: int, j: int) -> bool:
        if j == len(letters):
            return i == len(words)
        if i == len(words):
            return False
        w = words[i]
        if w[0] == letters[j] and go(i + 1, j + 1):
            return True
        return w in STOP_WORDS and go(i + 1, j)

    return bool(words) and words[0][0] == letters[0] and go(0, 0)


def definitions(text: str) -> list[tuple[str, str]]:
    """``[(ACRONYM, full name as written, lowercase)]`` that ``text`` defines.

    >>> definitions("облыстардың қоғамдық кеңестерінің (ҚК) төрағалары")
    [('ҚК', 'қоғамдық кеңестерінің')]
    """
    if "(" not in text:
        return []
    out = []
    for m in _DEF_AFTER_RE.finditer(text):
        acr = m.group(1)
        letters = "".join(c for c in acr if c.isupper()).lower()
        if len(letters) < 2:
            continue
        before = [w.lower() for w in _TEXT_WORD_RE.findall(text[max(0, m.start() - 200) : m.start()])]
        for n in range(len(letters), min(len(before), 2 * len(letters)) + 1):
            words = before[-n:]
            if _initials_match(words, letters):
                out.append((key(acr), " ".join(words)))
                break
    for m in _DEF_BEFORE_RE.finditer(text):
        acr = m.group(1)
        letters = "".join(c for c in acr if c.isupper()).lower()
        words = [w.lower() for w in _TEXT_WORD_RE.findall(m.group(2))]
        if len(letters) >= 2 and len(words) <= 2 * len(letters) and _initials_match(words, letters):
            out.append((key(acr), " ".join(words)))
    return out


def marker_term(acronym: str, name: str) -> str:
    """The ``exact`` term that keeps one definition in the index."""
    return MARKER + acronym + MARKER + name


def local_names(defs: list[tuple[str, str]]) -> dict:
    """A text's own definitions as :func:`find_names`' ``local`` table."""
    out: dict = {}
    for acr, name in defs:
        stems = name_stems(name)
        if len(stems) >= 2:
            out.setdefault(stems[0], []).append((stems, acr))
    return out


_learned_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def learned(reader) -> dict[str, list[str]]:
    """``{ACRONYM: [full names]}`` an index's articles define (read from its term table once a reader)."""
    try:
        return _learned_cache[reader]
    except (KeyError, TypeError):
        pass
    out: dict[str, list[str]] = {}
    try:
        terms = list(reader.expand_prefix("exact", MARKER))
    except Exception:
        terms = []
    for t in terms:
        t = t.decode("utf-8") if isinstance(t, bytes) else t
        _, acr, name = t.split(MARKER, 2)
        acr = key(acr)
        if name not in out.setdefault(acr, []):
            out[acr].append(name)
    try:
        _learned_cache[reader] = out
    except TypeError:
        pass
    return out
