"""Kazakh Latin script (2021 alphabet, older drafts, ASCII fallbacks) -> Cyrillic. Data only.

``LATIN_MULTI`` is tried before ``LATIN_SINGLE`` (longest match first).  The
letter ``i`` is ``и`` or ``й``: the code picks ``й`` after a vowel.
"""

#: Letters that only Kazakh Latin uses (a word with one of these is Kazakh, not English).
KAZAKH_LATIN_MARKERS = frozenset("äğñöūüışáǵńóúý")

LATIN_MULTI = {
    "sh": "ш",
    "ch": "ч",
    "zh": "ж",
    "kh": "х",
    "gh": "ғ",
    "ts": "ц",
    "yo": "ё",
    "yu": "ю",
    "ya": "я",
    "şç": "щ",
    # 2017 apostrophe draft
    "a'": "ә",
    "g'": "ғ",
    "n'": "ң",
    "o'": "ө",
    "u'": "ү",
    "i'": "і",
    "s'": "ш",
    "c'": "ч",
}

LATIN_SINGLE = {
    "a": "а", "ä": "ә", "b": "б", "v": "в", "g": "г", "ğ": "ғ", "d": "д", "e": "е",
    "j": "ж", "z": "з", "i": "и", "ı": "і", "k": "к", "q": "қ", "l": "л", "m": "м",
    "n": "н", "ñ": "ң", "o": "о", "ö": "ө", "p": "п", "r": "р", "s": "с", "t": "т",
    "u": "у", "ū": "ұ", "ü": "ү", "f": "ф", "h": "х", "ş": "ш", "y": "ы", "c": "с",
    "w": "у", "x": "кс",
    # 2018 acute draft
    "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ұ", "ý": "ү",
}

LATIN_VOWELS = frozenset("aäeıioöuūüyáóúý")

#: Cyrillic -> the official 2021 Latin alphabet (lowercase; Russian-only letters
#: as usually written: ё yo, ц ts, ч ch, щ şç, ю yu, я ya, э e; ъ ь dropped).
#: Used to write Latin-script test queries (searchkz.bench.variants).
CYRILLIC_TO_LATIN_2021 = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
    "ж": "j", "з": "z", "и": "i", "й": "i", "і": "ı", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ш": "ş",
    "ы": "y", "ё": "yo", "ц": "ts", "ч": "ch", "щ": "şç", "ю": "yu", "я": "ya",
    "э": "e", "ъ": "", "ь": "",
}
