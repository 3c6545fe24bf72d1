"""Text analysis: tokenize, normalize and stem Kazakh text, and the Whoosh analyzers.

One pass over a text produces, for every word, its character offsets and three
index terms:

* ``normalized`` — NFC, Latin look-alikes repaired inside Cyrillic words,
  lowercased, Kazakh Latin transliterated to Cyrillic (the *exact* field);
* ``stem`` — the Kazakh stemmer's stem (Russian sentences and English words go
  through PyStemmer instead) (the main *body* field);
* ``folded`` — the stem of the word written without Kazakh letters (қ→к, ә→а …)
  (not indexed: it highlights the matches of a query typed on a Russian keyboard).

The analyzers of the schema share that pass: indexing one document runs it
once (the last text's analysis is kept), not once per field.  Analyzer
classes live at module level because Whoosh pickles them into the index.

>>> [(t.normalized, t.stem) for t in analyze("Қоғамдық кеңестердің жұмысы")]
[('қоғамдық', 'қоғамдық'), ('кеңестердің', 'кеңес'), ('жұмысы', 'жұмыс')]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Callable, Iterator, NamedTuple

from whoosh.analysis import Analyzer, Token

from searchkz import acronyms as _acr
from searchkz import stemmer as _kkstem
from searchkz.acronyms import is_acronym
from searchkz.acronyms import key as acronym_key
from searchkz.hyphens import hyphenated_stem, is_suffix_tail
from searchkz.lang.kk.alphabet import KAZAKH_SPECIFIC
from searchkz.lang.kk.folding import FOLD
from searchkz.lang.kk.lookalikes import LATIN_LOOKALIKES, OTHER_LOOKALIKES
from searchkz.lang.kk.stop_words import STOP_WORDS
from searchkz.translit import is_kazakh_latin, latin_to_cyrillic

#: Changes whenever any index term for some text (or the index schema) would
#: change: an index built with another version is rebuilt, never mixed.
#: 2: parts of hyphenated words; 3: no folded field, dates indexed by day, text stored uncompressed by us;
#: 4: titles in a column; 5: suffixes after a hyphen, acronyms (capitals) and their full names;
#: 6: ranking arrays in each full-reindex segment (searchkz.arrays), no title column;
#: 7: a field's length counts the text's words (and hyphen parts), not the acronyms of its full names;
#: 8: noun suffixes after a loan's soft sign (апрельде -> апрель); 9: full names news writes beside
#: the official ones (жоғарғы оқу орны for ЖОО)
ANALYZER_VERSION = "9/" + _kkstem.ANALYZER_DATA_VERSION

# A word: letters/digits with combining marks (decomposed й), hyphen-joined
# parts kept together (Сондай-ақ, іс-қимыл).
WORD_RE = re.compile(r"(?:[^\W_][\u0300-\u036f]*)+(?:[-\u2010\u2011](?:[^\W_][\u0300-\u036f]*)+)*")
_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_LAT_RE = re.compile(r"[a-zA-Z\u00c0-\u024f\u0259\u018f\u0275\u019f]")
_LAT_RUN_RE = re.compile(_LAT_RE.pattern + "+")
_KK_RE = re.compile("[" + "".join(sorted(KAZAKH_SPECIFIC)) + "]", re.IGNORECASE)
_SENTENCE_ENDS = ".!?\n"
_SENTENCE_RE = re.compile("[^" + re.escape(_SENTENCE_ENDS) + "]+")
_LOOKALIKES = {**LATIN_LOOKALIKES, **OTHER_LOOKALIKES}
_FOLD_TABLE = str.maketrans(FOLD)
_LOOKALIKE_TABLE = str.maketrans(_LOOKALIKES)
_FOREIGN_IN_CYR = re.compile("[" + re.escape("".join(_LOOKALIKES)) + "]")
# Russian function words and letters that mark a sentence as Russian when it has
# no Kazakh letter at all.
_RU_MARKERS = frozenset("и в на что это для по с не как из к о от за но они он она мы его их был была были будет при также".split())
_RU_LETTERS_RE = re.compile("[ёъщэь]")

KIND_KAZAKH = "kk"  # Cyrillic (with or without Kazakh letters)
KIND_RUSSIAN = "ru"
KIND_ENGLISH = "en"
KIND_OTHER = "other"  # numbers, other scripts

_ru_stemmer = None
_en_stemmer = None


def _snowball(lang: str):
    global _ru_stemmer, _en_stemmer
    import Stemmer  # PyStemmer; imported lazily (start-up time)

    if lang == "ru":
        if _ru_stemmer is None:
            _ru_stemmer = Stemmer.Stemmer("russian")
        return _ru_stemmer
    if _en_stemmer is None:
        _en_stemmer = Stemmer.Stemmer("english")
    return _en_stemmer


def has_kazakh_letter(word: str) -> bool:
    """True when ``word`` has a letter only Kazakh uses (ә ғ қ ң ө ұ ү һ і).

    >>> has_kazakh_letter("кеңес"), has_kazakh_letter("кенес")
    (True, False)
    """
    return _KK_RE.search(word) is not None


def normalize(word: str) -> str:
    """NFC, look-alike repair (mostly-Cyrillic words), Kazakh-aware lowercasing.

    >>> normalize("Жəне")  # a Latin schwa inside a Cyrillic word
    'және'
    """
    word = unicodedata.normalize("NFC", word)
    if _FOREIGN_IN_CYR.search(word):
        if _HYPHEN_SPLIT_RE.search(word):  # each part on its own: IT-мамандар keeps its Latin IT
            word = "".join(_repair(p) for p in re.split("([-\u2010\u2011])", word))
        else:
            word = _repair(word)
    # Turkic dotted capital I: "İ".lower() is two code points.
    if "\u0130" in word:
        word = word.replace("\u0130", "i")
    return word.lower()


def _repair(word: str) -> str:
    """Latin look-alikes mapped back in a mostly-Cyrillic word."""
    n_cyr = len(_CYR_RE.findall(word))
    if n_cyr and n_cyr >= len(_LAT_RE.findall(word)):
        return word.translate(_LOOKALIKE_TABLE)
    return word


class _Analysis(NamedTuple):
    normalized: str
    stem: str
    folded_or_none: str | None
    stop: bool
    lang: str


_folded_stems: dict[str, str] = {}


class WordAnalysis(_Analysis):
    """The analysis of one surface word (independent of its position).

    ``folded`` (the stem of the word written without Kazakh letters) is computed on
    first use: no index field holds it any more, only highlighting and ``analyze``
    need it, and it is a second stemmer pass per word.
    """

    __slots__ = ()

    @property
    def folded(self) -> str:
        f = self[2]
        if f is None:
            norm = self[0]
            f = _folded_stems.get(norm)
            if f is None:
                if len(_folded_stems) >= _CACHE_MAX:
                    _folded_stems.clear()
                f = _folded_stems[norm] = _kkstem.stem_folded(_kkstem.fold(norm))
        return f

    def folded_in(self, stems, heads: tuple) -> bool:
        """``self.folded in stems``, without stemming a word whose folded stem cannot be one of
        them (``heads``: :func:`~searchkz.stemmer.stem_heads` of ``stems``): the snippet
        path looks at many words typed with Kazakh letters for a query typed without."""
        f = self[2]
        if f is None:
            f = _folded_stems.get(self[0])
            if f is None and not _kkstem.may_stem_to(_kkstem.fold(self[0]), heads, folded=True):
                return False
        return (f or self.folded) in stems


class AnalyzedToken(NamedTuple):
    """One token of a text: the original substring, its offsets and its terms."""

    text: str
    start: int
    end: int
    normalized: str
    stem: str
    folded: str
    stop: bool
    lang: str
    expands: tuple = ()  # an acronym's full names, or the acronym of a full name beginning here


_CACHE_MAX = 500_000
# One cache per context ("", "ru", "latn"), keyed by the surface word: a lookup
# hashes a str (its hash is cached) instead of building and hashing a tuple.
_word_caches: dict[str, dict[str, WordAnalysis]] = {"": {}, "ru": {}, "latn": {}}


def analyze_word(raw: str, context: str = "") -> WordAnalysis:
    """Analyze one word. ``context`` is ``"ru"`` inside a Russian sentence and
    ``"latn"`` inside a Kazakh Latin-script text (transliterate every Latin word)."""
    cache = _word_caches.get(context)
    if cache is None:
        cache = _word_caches.setdefault(context, {})
    hit = cache.get(raw)
    if hit is not None:
        return hit
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    norm = normalize(raw)
    lang = KIND_OTHER
    if _CYR_RE.search(norm):
        lang = KIND_KAZAKH
    elif _LAT_RE.search(norm):
        if context == "latn" or is_kazakh_latin(norm):
            norm = latin_to_cyrillic(norm)
            lang = KIND_KAZAKH
        else:
            lang = KIND_ENGLISH
    if lang == KIND_KAZAKH:
        stop = norm in STOP_WORDS
        if context == "ru" and not _KK_RE.search(norm):
            lang = KIND_RUSSIAN
            stem = folded = _snowball("ru").stemWord(norm)
        else:
            if "-" in norm or "\u2010" in norm or "\u2011" in norm:
                stem = hyphenated_stem(raw, norm, context, analyze_word, is_acronym)
            elif raw[-1:].isupper() and is_acronym(raw, norm):
                stem = norm = acronym_key(norm)  # in capitals: never the word spelled alike (БАҚ, бақ)
            else:
                stem = _kkstem.stem(norm)
            folded = None  # WordAnalysis.folded computes it when asked
    elif lang == KIND_ENGLISH:
        stop = False
        stem = folded = _snowball("en").stemWord(norm)
    else:
        stop = False
        stem = folded = norm
    result = WordAnalysis(norm, stem, folded, stop, lang)
    cache[raw] = result
    return result


def _russian_spans(text: str) -> list[tuple[int, int]]:
    """Sentences with no Kazakh letter and with Russian markers: their stems come from Snowball."""
    return [m.span() for m in _SENTENCE_RE.finditer(text) if _russian_sentence(m.group())]


def _russian_sentence(sent: str) -> bool:
    """No Kazakh letter, some Cyrillic, 3+ words and a Russian letter or marker word."""
    if _KK_RE.search(sent) or not _CYR_RE.search(sent):
        return False
    words = sent.lower().split()
    return len(words) >= 3 and bool(_RU_LETTERS_RE.search(sent) or any(w in _RU_MARKERS for w in words))


def _contexts(raw: str) -> tuple[str, ...]:
    """The contexts (``""``, ``"ru"``, ``"latn"``: see :func:`analyze_word`) whose analyses of the word
    ``raw`` may differ: only ``""`` for a word with a Kazakh letter (it reads the same anywhere),
    a Russian sentence too for another Cyrillic word, both for a Latin or hyphenated one."""
    if "-" in raw or "\u2010" in raw or "\u2011" in raw or not _CYR_RE.search(raw):
        return ("", "ru", "latn")
    return ("",) if _KK_RE.search(raw) else ("", "ru")


def _context_at(text: str) -> Callable[[int], str]:
    """``context(start)``: the context :func:`_text_context` gives the word at ``start`` of ``text``,
    worked out for that word only (the snippet path asks for a few words of a text):
    its sentence is looked at, and the text's Russian hint and script once, when first needed."""
    russian: dict[int, bool] = {}  # sentence start -> is the sentence one of _russian_spans
    hint: bool | None = None  # (the text's Russian hint and script: looked at once, when first needed)
    script: str | None = None

    def context(start: int) -> str:
        nonlocal hint, script
        a = max(text.rfind(c, 0, start) for c in _SENTENCE_ENDS) + 1  # its sentence, as _SENTENCE_RE cuts it
        ru = russian.get(a)
        if ru is None:
            b = min((i for i in (text.find(c, start) for c in _SENTENCE_ENDS) if i >= 0), default=len(text))
            ru = _russian_sentence(text[a:b])
            if ru:
                if hint is None:
                    hint = bool(_RU_HINT_RE.search(text))
                ru = hint
            russian[a] = ru
        if ru:
            return "ru"
        if script is None:
            script = "latn" if _LAT_RE.search(text) and _latin_text(text) else ""
        return script

    return context


def _latin_text(text: str) -> bool:
    """Is this text (mostly) Kazakh in Latin script? Then every Latin word is transliterated."""
    head = text[:5000]
    runs = len(_LAT_RUN_RE.findall(head))  # (each word beginning with a Latin letter begins a run)
    if runs < 3:
        return False
    words = _word_re_for(head).findall(head)
    if runs * 2 < len(words):
        return False
    latin_words = [w for w in words if _LAT_RE.match(w)]
    if len(latin_words) < 3 or len(latin_words) * 2 < len(words):
        return False
    marked = sum(1 for w in latin_words if is_kazakh_latin(w.lower()))
    return marked * 5 >= len(latin_words)


def iter_words(text: str) -> Iterator[tuple[str, int, int, WordAnalysis]]:
    """Yield ``(surface, start, end, analysis)`` for every word of ``text``."""
    ru_spans, base_ctx = _text_context(text)
    yield from _iter_words(text, ru_spans, base_ctx)


def _text_context(text: str) -> tuple[list[tuple[int, int]], str]:
    """The Russian sentences of ``text`` and its base context (``"latn"`` or ``""``)."""
    ru_spans = _russian_spans(text) if _RU_HINT_RE.search(text) else []
    latn = bool(_LAT_RE.search(text)) and _latin_text(text)
    return ru_spans, ("latn" if latn else "")


# WORD_RE for a text without combining marks (nearly all NFC text): the same
# matches, found about twice as fast.
_WORD_RE_PLAIN = re.compile(r"[^\W_]++(?:[-\u2010\u2011][^\W_]++)*+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")


def _word_re_for(text: str) -> re.Pattern:
    return WORD_RE if _COMBINING_RE.search(text) else _WORD_RE_PLAIN


def word_spans(text: str) -> list[tuple[int, int, WordAnalysis]]:
    """``[(start, end, analysis)]`` for every word of ``text`` (as :func:`iter_words`, faster).

    The hot path of indexing and snippets: one cache lookup per word, no
    generator, no per-word context logic when the text has no Russian sentence.
    """
    ru_spans, ctx = _text_context(text)
    if ru_spans:
        return [(s, e, a) for _raw, s, e, a in _iter_words(text, ru_spans, ctx)]
    cache = _word_caches[ctx]
    get = cache.get
    out = []
    append = out.append
    for m in _word_re_for(text).finditer(text):
        raw = m.group()
        a = get(raw)
        if a is None:
            a = analyze_word(raw, ctx)
        s, e = m.span()
        append((s, e, a))
    return out


def term_prefixes(terms) -> frozenset:
    """Folded two-letter beginnings of the words that can have these index terms,
    for :func:`find_words`' pre-filter (irregular forms such as оған → ол included)."""
    global _irregular_heads
    if _irregular_heads is None:
        from searchkz.lang.kk.exceptions import IRREGULAR

        _irregular_heads = {}
        for form, lemma in IRREGULAR.items():
            for key in (lemma, lemma.translate(_FOLD_TABLE)):
                _irregular_heads.setdefault(key, set()).add(form[:2].translate(_FOLD_TABLE))
    heads = set()
    for t in terms:
        if t:
            heads.add(t[:2].lower().translate(_FOLD_TABLE))  # (an acronym's term is in capitals)
            heads.update(_irregular_heads.get(t, ()))
    return frozenset(heads)


_irregular_heads: dict | None = None


_UNFOLD: dict[str, str] = {}
for _k, _v in FOLD.items():
    _UNFOLD.setdefault(_v, _v)
    _UNFOLD[_v] += _k
_NON_CYR_LETTER = r"[^\W\d_\u0400-\u04ff]"


@functools.lru_cache(maxsize=256)
def _candidate_re(prefixes: frozenset) -> re.Pattern:
    """Words (as :data:`WORD_RE` cuts them) that begin, or have a part after a hyphen that begins,
    with one of ``prefixes`` in any spelling with or without Kazakh letters, or whose first two letters
    are not both Cyrillic (look-alikes, Latin script): only these can carry a
    wanted term, since a stem is a beginning of its word."""
    def cls(c: str) -> str:
        letters = _UNFOLD.get(c, c)
        return "[" + re.escape(letters + letters.upper()) + "]"

    heads = "|".join("".join(cls(c) for c in head) for head in sorted(prefixes)) or "(?!)"
    parts = r"(?:(?:[^\W_][\u0300-\u036f]*)+[-\u2010\u2011])*"  # (or a later part of a hyphenated word)
    alts = [parts + "(?:" + heads + ")", _NON_CYR_LETTER, r"[^\W_]" + _NON_CYR_LETTER]
    return re.compile(_WORD_START + "(?=" + "|".join(alts) + ")" + WORD_RE.pattern)


_WORD_START = r"(?<![^\W_])(?<![\u0300-\u036f])(?<![^\W_][-\u2010\u2011])"
#: A word whose first or second letter is not Cyrillic (look-alikes, Latin script), matched where it
#: begins: a candidate whatever the terms (the other half of :func:`_candidate_re`).
_NON_CYR_WORD_RE = re.compile(
    _WORD_START + "(?=" + _NON_CYR_LETTER + r"|[^\W_]" + _NON_CYR_LETTER + ")" + WORD_RE.pattern
)


@functools.lru_cache(maxsize=None)
def _suspects() -> re.Pattern:
    """Any character but those of ASCII, Latin-1, Cyrillic and punctuation that are no
    :data:`_NON_CYR_LETTER`: a text without one has no word for :data:`_NON_CYR_WORD_RE` (a class
    of ranges: ~2 ns a character, where the letter class itself takes ~10)."""
    letter = re.compile(_NON_CYR_LETTER)
    safe = [c for c in [*range(0x500), *range(0x2000, 0x20D0), 0x2116] if not letter.match(chr(c))]
    runs = []
    for c in safe:
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return re.compile("[^" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                     for a, b in runs) + "]")


@functools.lru_cache(maxsize=256)
def _head_re(prefixes: frozenset) -> re.Pattern:
    """Where, in a lowercased text, a word or a part of one after a hyphen begins with one of
    ``prefixes`` in any spelling with or without Kazakh letters: the literal spellings first
    (``қо|ко|қө|кө``; the regex engine skips to their first letters), then the word-start checks
    of :data:`_WORD_START` but the hyphen's looking back past them.
    Compiles in ~0.25 ms and its scan is ~2x faster than :func:`_candidate_re`'s (classes of Cyrillic letters
    before everything: ~0.8 ms)."""
    by_length: dict[int, set] = {}
    for head in prefixes:
        spellings = [""]
        for c in head:
            spellings = [s + x for s in spellings for x in _UNFOLD.get(c, c)]
        for sp in spellings:
            by_length.setdefault(len(sp), set()).add(sp)
    alts = []
    for n, spellings in sorted(by_length.items(), reverse=True):
        back = "." * n
        alts.append("(?:" + "|".join(map(re.escape, sorted(spellings))) + ")"
                    + rf"(?<![^\W_]{back})(?<![\u0300-\u036f]{back})")  # (after a hyphen too: a part)
    return re.compile("|".join(alts) or "(?!)", re.DOTALL)  # (no prefixes: no word)


_HYPHENS = "-\u2010\u2011"
_WORD_CHAR = re.compile(r"[^\W_]|[\u0300-\u036f]").match


def _word_start(text: str, i: int) -> int:
    """Where the word that :data:`WORD_RE` cuts begins, ``i`` being where one of its parts after
    a hyphen begins (``Нұр-Сұлтан``: the part ``Сұлтан``)."""
    while i > 1 and text[i - 1] in _HYPHENS and _WORD_CHAR(text, i - 2):
        i -= 2
        while i > 0 and _WORD_CHAR(text, i - 1):
            i -= 1
    return i


def _candidates(text: str, prefixes: frozenset) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` of the words of ``text`` that :func:`_candidate_re` finds, in order:
    those beginning with one of ``prefixes`` or with a part after a hyphen that does (the whole
    word: :func:`_head_re` on the lowercased text, the same offsets), and those with a letter that
    is not Cyrillic among their first two (looked for only around such a letter)."""
    low = text.lower()
    if len(low) != len(text):  # (a letter that lowercases to two: the one pattern of classes)
        return [(m.start(), m.end(), m.group()) for m in _candidate_re(prefixes).finditer(text)]
    match = WORD_RE.match
    out = []
    for h in _head_re(prefixes).finditer(low):
        start = h.start()
        if start > 1 and low[start - 1] in _HYPHENS and _WORD_CHAR(low, start - 2):
            start = _word_start(low, start)  # a later part of a hyphenated word: the whole word
            if out and out[-1][0] == start:
                continue
        m = match(text, start)
        if m is not None:  # (a head that is no beginning of a word: "*" of a query "0* *")
            out.append((m.start(), m.end(), m.group()))
    suspects = _suspects()
    first = suspects.search(text)
    if first is not None:
        seen = {s: e for s, e, _w in out}  # word start -> its end
        other = _NON_CYR_WORD_RE.match
        extra = []
        h = first
        while h is not None:
            i = h.start()
            after = i + 1
            for start in (i - 1, i) if i else (i,):  # (a word with it as its second or first letter)
                end = seen.get(start)
                if end is None:
                    m = other(text, start)
                    if m:
                        end = seen[start] = m.end()
                        extra.append((start, end, m.group()))
                if end is not None:
                    # (no word begins inside a word: its other letters are skipped; a word that ends
                    # at the letter, "ཟ" before the vowel sign "ླ", is no reason to look at it again)
                    after = max(end, after)
                    break
            h = suspects.search(text, after)
        if extra:
            out += extra
            out.sort()
    return out


# a word whose normalized form is itself lowercased (no ё: Snowball Russian respells it)
_PLAIN_WRITTEN = re.compile(r"[а-яәғқңөұүһіА-ЯӘҒҚҢӨҰҮҺІ][а-яәғқңөұүһі]*\Z")


def may_match(raw: str, heads: tuple, exact, folded_heads: tuple | None = None) -> bool:
    """False only if, in every context, :func:`analyze_word` gives ``raw`` a stem none of the stems
    of ``heads`` (:func:`~searchkz.stemmer.stem_heads`), a normalized form not in ``exact`` and
    (``folded_heads`` given) a folded stem none of theirs: judged without stemming
    (:func:`~searchkz.stemmer.may_stem_to`; Snowball's stems of Russian words only take endings
    off).  A word that is not plain Cyrillic, lowercase but its first letter, may match
    anything (hyphens, digits, Latin, look-alikes, an acronym in capitals).

    >>> may_match("Қоғамдағы", ("қоға",), set()), may_match("кеңесі", ("қоға",), set())
    (True, False)
    """
    if not _PLAIN_WRITTEN.match(raw) or raw[-1].isupper():
        return True
    n = raw.lower()
    if n in exact or _kkstem.may_stem_to(n, heads):
        return True
    return folded_heads is not None and _kkstem.may_stem_to(_kkstem.fold(n), folded_heads, folded=True)


def find_words(
    text: str, want: Callable[[WordAnalysis], bool], prefixes: frozenset | None = None, judged: dict | None = None,
    maybe: Callable[[str], bool] | None = None,
) -> list[tuple[int, int, WordAnalysis]]:
    """The items of :func:`word_spans` whose analysis ``want`` accepts.

    Each distinct word is analyzed (looked up) once, and offsets are collected
    only when some word matched: the snippet path, which scans whole articles
    for a few query terms.  With ``prefixes`` (:func:`term_prefixes` of the
    wanted terms) a regular expression finds the candidate words and the
    others are never looked at; ``judged`` then keeps what ``want`` said of each
    word for the next text of the same query (the hits of one search share
    most of their candidate words).  ``maybe`` (with ``prefixes``): False for a candidate word
    that ``want`` cannot accept, judged from the word as written (never analyzed).
    """
    if prefixes is not None:
        out = []
        wanted: dict[str, dict] = {} if judged is None else judged  # word -> {context: its analysis there} where want accepts it
        context = _context_at(text)
        for start, end, raw in _candidates(text, prefixes):
            ok = wanted.get(raw)
            if ok is None:
                if maybe is not None and not maybe(raw):
                    wanted[raw] = {}
                    continue
                readings = {c: _word_caches[c].get(raw) or analyze_word(raw, c) for c in _contexts(raw)}
                ok = wanted[raw] = {c: a for c, a in readings.items() if want(a)}
                if ok and len(set(readings.values())) == 1:
                    ok[None] = readings[""]  # the same in every context: no need to know the word's
            if ok:
                a = ok.get(None) or ok.get(context(start))
                if a is not None:
                    out.append((start, end, a))
        return out
    ru_spans, ctx = _text_context(text)
    if ru_spans:
        return [(s, e, a) for _raw, s, e, a in _iter_words(text, ru_spans, ctx) if want(a)]
    get = _word_caches[ctx].get
    regex = _word_re_for(text)
    hits = {}
    for raw in set(regex.findall(text)):
        a = get(raw)
        if a is None:
            a = analyze_word(raw, ctx)
        if want(a):
            hits[raw] = a
    if not hits:
        return []
    return [(m.start(), m.end(), hits[m.group()]) for m in regex.finditer(text) if m.group() in hits]


def _iter_words(text: str, ru_spans: list[tuple[int, int]], base_ctx: str):
    span_i = 0
    for m in WORD_RE.finditer(text):
        raw = m.group()
        start, end = m.span()
        ctx = base_ctx
        if ru_spans:
            while span_i < len(ru_spans) and ru_spans[span_i][1] <= start:
                span_i += 1
            if span_i < len(ru_spans) and ru_spans[span_i][0] <= start:
                ctx = "ru"
        yield raw, start, end, analyze_word(raw, ctx)


_RU_HINT_RE = re.compile(r"[ёъщэь]|(?<!\w)(?:и|в|на|что|это|для|по|с|как|из|к|о|от|за|но)(?!\w)", re.IGNORECASE)


def analyze(text: str) -> list[AnalyzedToken]:
    """Every word of ``text`` with offsets, normalized form, stem and folded stem (stop words flagged)."""
    words = list(iter_words(text))
    kept = [i for i, w in enumerate(words) if not w[3].stop]
    defs = _acr.definitions(text)
    starts: dict[int, list] = {}
    for first, _end, acr in _acr.find_names([words[i][3].stem for i in kept], _acr.local_names(defs) if defs else None):
        starts.setdefault(kept[first], []).append(acr)
    own = dict(defs)
    out = []
    for i, (raw, s, e, a) in enumerate(words):
        expands = tuple(dict.fromkeys(starts.get(i, ())))
        if a.stem.isupper():
            expands += tuple(_acr.full_names(a.stem)) + ((own[a.stem],) if a.stem in own else ())
        out.append(AnalyzedToken(raw, s, e, a.normalized, a.stem, a.folded, a.stop, a.lang, expands))
    return out


def stem(word: str) -> str:
    """The index term a single word is stored under (see :func:`analyze`)."""
    return analyze_word(word.strip()).stem


# -- the Whoosh analyzers ---------------------------------------------------

_last_text: str | None = None
_last_words: list[tuple[int, int, WordAnalysis]] = []
_last_kept: list[tuple[int, int, WordAnalysis]] = []
_last_query_seq: list[tuple[WordAnalysis, int]] = []  # (analysis, position) of the kept words
_last_index_seq: list[tuple[WordAnalysis, int]] = []  # the same plus hyphenated words' parts at their word's position
_last_stem_seq: list[tuple[WordAnalysis, int]] = []  # the index seq plus the acronyms of full names (body, title)
_last_exact_seq: list[tuple[WordAnalysis, int]] = []  # the index seq plus the text's acronym definitions (exact)


def _words_of(value: str) -> list[tuple[int, int, WordAnalysis]]:
    """The analysis of ``value``, shared by the fields that index the same text object."""
    global _last_text, _last_words, _last_kept, _last_query_seq, _last_index_seq, _last_stem_seq, _last_exact_seq
    if value is not _last_text:
        _last_words = word_spans(value)
        _last_kept = [w for w in _last_words if not w[2].stop]
        _last_query_seq = _last_index_seq = [(w[2], i) for i, w in enumerate(_last_kept)]
        if "-" in value or "\u2010" in value or "\u2011" in value:
            seq = []
            for i, (s, e, a) in enumerate(_last_kept):
                seq.append((a, i))
                n = a[0]
                if "-" in n or "\u2010" in n or "\u2011" in n:
                    seq.extend((pa, i) for pa in hyphen_parts(a, value[s:e]))
            _last_index_seq = seq
        _last_stem_seq, _last_exact_seq = _acronym_terms(value, _last_kept, _last_index_seq)
        _last_text = value
    return _last_words


def _acronym_terms(value: str, kept: list, seq: list) -> tuple[list, list]:
    """The index seq with, for the stem fields, the acronym of each full name found (at the
    name's first word) and, for ``exact``, the text's own acronym definitions
    (:mod:`searchkz.acronyms`)."""
    defs = _acr.definitions(value)
    found = _acr.find_names([w[2][1] for w in kept], _acr.local_names(defs) if defs else None)
    stem_seq = seq
    if found:
        stem_seq = seq + [(_acronym_analysis(acr), first) for first, acr in dict.fromkeys((f, a) for f, _e, a in found)]
    exact_seq = seq
    if defs:
        exact_seq = seq + [(_acronym_analysis(_acr.marker_term(acr, name)), 0) for acr, name in defs]
    return stem_seq, exact_seq


def _acronym_analysis(term: str) -> WordAnalysis:
    return WordAnalysis(term.lower(), term, term, False, KIND_KAZAKH)


_HYPHEN_SPLIT_RE = re.compile("[-\u2010\u2011]")
_parts_cache: dict[tuple[str, str], tuple[WordAnalysis, ...]] = {}


def hyphen_parts(a: WordAnalysis, raw: str | None = None) -> tuple[WordAnalysis, ...]:
    """The parts of a hyphenated word that are indexed beside it (at its position):
    ``Жамиғат-тауарих`` is also found as ``жамиғат`` and ``тауарих``, ``1985-1991`` as
    ``1985`` and ``1991``, ``IT-мамандар`` as ``it`` and ``маман``.  Left out: stop words
    (``сондай-ақ``), one- and two-letter Cyrillic parts, a suffix chain after the part before
    (``АҚШ-тың``, ``КСР-і``: the whole word's stem is that part's), and parts with the same
    term as the whole word or an earlier part.  ``raw``: the word as written (its parts
    keep their own script and capitals: ``IT``, ``ҚР``).

    >>> [p.stem for p in hyphen_parts(analyze_word("Жамиғат-тауарих"))]
    ['жамиғат', 'тауарих']
    """
    n = a.normalized
    if "-" not in n and "\u2010" not in n and "\u2011" not in n:
        return ()
    return _hyphen_parts(raw if raw is not None and _HYPHEN_SPLIT_RE.search(raw) else n, a)


def _hyphen_parts(word: str, a: WordAnalysis) -> tuple[WordAnalysis, ...]:
    key = (word, a.lang)
    hit = _parts_cache.get(key)
    if hit is not None:
        return hit
    if len(_parts_cache) >= _CACHE_MAX:
        _parts_cache.clear()
    ctx = "ru" if a.lang == KIND_RUSSIAN else ""
    out: list[WordAnalysis] = []
    seen = {a.stem, a.stem.lower()}
    prev = ""
    for raw in _HYPHEN_SPLIT_RE.split(word):
        if not raw:
            continue
        p = analyze_word(raw, ctx)
        inflects_prev = prev and (
            is_suffix_tail(p.normalized) or analyze_word(prev + raw, ctx).stem == analyze_word(prev, ctx).stem
        )
        prev = raw
        short = len(raw) < 3 and not raw.isdigit() and not p.stem.isupper() and (p.lang == KIND_KAZAKH or len(raw) < 2)
        if p.stop or short or inflects_prev or p.stem in seen:
            continue
        seen.add(p.stem)
        out.append(p)
    hit = _parts_cache[key] = tuple(out)
    return hit


_FIELD_INDEX = {"stem": 1, "exact": 0, "folded": 2}


class KazakhAnalyzer(Analyzer):
    """A Whoosh analyzer emitting one of the three terms of each non-stop word.

    ``output`` is ``"stem"`` (body/title), ``"exact"`` or ``"folded"``.
    Positions count only the words that are kept, so a phrase query with a stop
    word in it ("қоғам және мемлекет") matches the same text.

    >>> [t.text for t in KazakhAnalyzer("stem")("Үкіметтік емес ұйымдардың")]
    ['үкіметтік', 'ұйым']
    """

    def __init__(self, output: str = "stem") -> None:
        if output not in _FIELD_INDEX:
            raise ValueError(f"unknown analyzer output {output!r}")
        self.output = output
        self.version = ANALYZER_VERSION

    def __repr__(self) -> str:
        return f"KazakhAnalyzer({self.output!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KazakhAnalyzer) and other.output == self.output and other.version == self.version

    def __hash__(self) -> int:
        return hash((self.output, self.version))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        field = _FIELD_INDEX[self.output]
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            a = analyze_word(value)
            t.original = value
            t.text = a.folded if field == 2 else a[field]
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        if removestops and not keeporiginal and not chars and field != 2:
            # the hot paths: indexing (hyphenated words' parts too, at the word's position) and querying
            _words_of(value)
            seq = (_last_stem_seq if field == 1 else _last_exact_seq) if mode == "index" else _last_query_seq
            if positions:
                for a, i in seq:
                    t.text = a[field]
                    t.boost = 1.0
                    t.stopped = False
                    t.pos = start_pos + i
                    yield t
            else:
                for a, _i in seq:
                    t.text = a[field]
                    t.boost = 1.0
                    t.stopped = False
                    yield t
            return
        pos = start_pos
        for s, e, a in _words_of(value):
            if a.stop and removestops:
                continue
            t.text = a.folded if field == 2 else a[field]
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[s:e]
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + s
                t.endchar = start_char + e
            yield t

    def index_terms(self, value: str) -> list[tuple[str, int]]:
        """``(term, position)`` of every token that indexing ``value`` emits
        (``mode="index"``, positions from 0) without making Token objects: the
        input of the segment writer (:mod:`searchkz.segments`).

        >>> KazakhAnalyzer("stem").index_terms("Үкіметтік емес ұйымдардың")  # a full name: its acronym too
        [('үкіметтік', 0), ('ұйым', 1), ('ҮЕҰ', 0)]
        """
        field = _FIELD_INDEX[self.output]
        if field == 2:
            return [(t.text, t.pos) for t in self(value, positions=True, mode="index")]
        _words_of(value)
        return [(a[field], i) for a, i in (_last_stem_seq if field == 1 else _last_exact_seq)]

    def counted_length(self, value: str) -> int:
        """The field length of ``value`` that ranking normalizes by: its words and the parts of its
        hyphenated words, as before acronyms were indexed, not the terms added for what the text
        names (a full name's acronym at its first word, the ``exact`` markers of its own acronym
        definitions). Those stand for words already counted: counted, they made every article that
        spells a name out a word longer per name than the same text was.

        >>> KazakhAnalyzer("stem").counted_length("Үкіметтік емес ұйымдардың")  # ҮЕҰ not counted
        2
        """
        field = _FIELD_INDEX[self.output]
        if field == 2:
            return len(self.index_terms(value))
        _words_of(value)
        return len(_last_index_seq)
