"""Words joined by a hyphen in Kazakh news: a suffix chain after an acronym, a number or a
foreign word (``АҚШ-тың``, ``ҮЕҰ-лардың``, ``COVID-19-ға``, ``5-ші``), a number before a
word (``2019-жылы``, ``5-сынып``), and compounds (``Нұр-Сұлтан``, ``IT-мамандар``).

:func:`hyphenated_stem` decides the stem of the whole written form (the analyzer also
indexes the parts of a compound at the word's position: :func:`searchkz.analysis.hyphen_parts`).

>>> from searchkz.analysis import analyze_word
>>> [analyze_word(w).stem for w in ("АҚШ-тың", "2019-жылы", "COVID-19-ға", "Нұр-Сұлтан")]
['АҚШ', '2019', 'covid-19', 'нұр-сұлтан']
"""

from __future__ import annotations

import re
from typing import Callable

from searchkz.lang.kk.suffixes import ORDINAL_AFTER_HYPHEN
from searchkz.stemmer import is_suffix_chain

HYPHEN_RE = re.compile("[-\u2010\u2011]")
_CYR_WORD = re.compile(r"[\u0400-\u04ff]+")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_ORDINAL = re.compile("|".join(ORDINAL_AFTER_HYPHEN))  # (longest first)


def is_suffix_tail(tail: str) -> bool:
    """A Kazakh noun suffix chain, or an ordinal ending (-ыншы, -ші) with one, written after a hyphen."""
    if is_suffix_chain(tail):
        return True
    m = _ORDINAL.match(tail)
    return m is not None and (m.end() == len(tail) or is_suffix_chain(tail[m.end():]))


def _takes_hyphenated_suffix(part: str, is_acronym: Callable[[str], bool]) -> bool:
    """Does Kazakh write a suffix after this part with a hyphen: a number, an acronym, a word
    in capitals or in another script."""
    if part.isdigit() or _LATIN.search(part):
        return True
    letters = [c for c in part if c.isalpha()]
    return len(letters) >= 2 and (all(c.isupper() for c in letters) or is_acronym(part))


def hyphenated_stem(raw: str, norm: str, ctx: str, analyze: Callable, is_acronym: Callable[[str], bool]) -> str:
    """The stem of a hyphenated Kazakh word (``analyze``: :func:`searchkz.analysis.analyze_word`).

    * base + hyphen + suffix chain: the base's own stem (``АҚШ-тың`` -> ``АҚШ``, ``ҮЕҰ-лардың`` ->
      ``ҮЕҰ``, ``COVID-19-ға`` -> ``covid-19``, ``5-ші`` -> ``5``), the base being a number, an
      acronym, or a word in capitals or another script (``экспо-ның`` stays a compound);
    * a number + hyphen + Kazakh words: the number (``2019-жылы`` -> ``2019``; ``жыл`` is a part);
    * otherwise a compound: its head as written + the last part's stem (``Нұр-Сұлтанның`` ->
      ``нұр-сұлтан``).
    """
    parts = HYPHEN_RE.split(raw)
    nparts = HYPHEN_RE.split(norm)
    if len(parts) < 2 or not all(parts) or len(nparts) != len(parts):
        return norm
    last = parts[-1]
    if _CYR_WORD.fullmatch(last) and is_suffix_tail(nparts[-1]) and _takes_hyphenated_suffix(parts[-2], is_acronym):
        return analyze(raw[: len(raw) - len(last) - 1], ctx).stem
    if parts[0].isdigit() and all(_CYR_WORD.fullmatch(p) for p in parts[1:]):
        return parts[0]
    head = norm[: len(norm) - len(nparts[-1])]
    return head + analyze(last, ctx).stem.lower()
