"""Kazakh Latin script -> Cyrillic (2021 alphabet, the 2017/2018 drafts, ASCII fallbacks).

Queries and documents written in Latin script are transliterated before
analysis, so ``qoğamdyq keñes`` finds ``қоғамдық кеңес``.  The letter tables are
data in :mod:`searchkz.lang.kk.translit`.
"""

from __future__ import annotations

import re

from searchkz.lang.kk.translit import KAZAKH_LATIN_MARKERS, LATIN_MULTI, LATIN_SINGLE, LATIN_VOWELS

_KZ_LATIN_Q = re.compile(r"q(?!u)")


def is_kazakh_latin(word: str) -> bool:
    """A Latin-script word with a letter or pattern English does not use (ä ğ ñ ö ū ü ı ş, q not before u)."""
    return any(c in KAZAKH_LATIN_MARKERS for c in word) or _KZ_LATIN_Q.search(word) is not None


def latin_lower(text: str) -> str:
    """Lowercase Kazakh Latin: ``I`` is the capital of ``ı`` (і) and ``İ`` of ``i`` (и).

    >>> latin_lower("Işek İle")
    'ışek ile'
    """
    return text.replace("\u0130", "i").replace("I", "\u0131").lower()


def latin_to_cyrillic(word: str) -> str:
    """Transliterate one lowercase Kazakh Latin word (2021 alphabet, drafts, ASCII fallbacks).

    >>> latin_to_cyrillic("qoğamdyq"), latin_to_cyrillic("keñes"), latin_to_cyrillic("üi")
    ('қоғамдық', 'кеңес', 'үй')
    """
    out = []
    i, n = 0, len(word)
    prev_vowel = False
    while i < n:
        pair = word[i : i + 2]
        if len(pair) == 2 and pair in LATIN_MULTI:
            out.append(LATIN_MULTI[pair])
            prev_vowel = pair[0] in LATIN_VOWELS
            i += 2
            continue
        c = word[i]
        if c == "i" and prev_vowel:
            out.append("й")
        else:
            out.append(LATIN_SINGLE.get(c, c))
        prev_vowel = c in LATIN_VOWELS
        i += 1
    return "".join(out)
