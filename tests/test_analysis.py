"""Tokenizer and normalization rules, table-driven, on real Kazakh text."""

from __future__ import annotations

import pytest

from searchkz.analysis import KazakhAnalyzer, analyze, analyze_word, normalize

TOKENIZE = [
    ("hyphenated words stay whole", "Сондай-ақ, іс-қимыл жөнінде", ["Сондай-ақ", "іс-қимыл", "жөнінде"]),
    ("quotes and dashes split", "«Азаматтық Альянс» – ҚК-ке", ["Азаматтық", "Альянс", "ҚК-ке"]),
    ("numbers are tokens", "814,8 млн теңге", ["814", "8", "млн", "теңге"]),
    ("decomposed й stays in the word", "бай\u0306ланыс".replace("й", "и"), ["баи\u0306ланыс"]),
    ("latin words", "BAQ.KZ тілшісі", ["BAQ", "KZ", "тілшісі"]),
]

NORMALIZE = [
    ("Latin schwa in a Cyrillic word", "жəне", "және"),
    ("Latin capital schwa", "Əлеумет", "әлеумет"),
    ("Latin i for і", "бiлiм", "білім"),
    ("Latin o/a/e/p/c look-alikes", "Aлмaты", "алматы"),
    ("Ukrainian ґ for ғ", "ґылым", "ғылым"),
    ("decomposed й is composed", "и\u0306", "й"),
    ("Kazakh capitals lowercase", "ҮКІМЕТТІК ҰЙЫМ", "үкіметтік ұйым"),
    ("Latin words keep their letters", "Global", "global"),
    ("Turkic dotted capital I", "İstanbul", "istanbul"),
]


@pytest.mark.parametrize("name, text, expected", TOKENIZE, ids=[c[0] for c in TOKENIZE])
def test_tokenize(name, text, expected):
    assert [t.text for t in analyze(text)] == expected


@pytest.mark.parametrize("name, word, expected", NORMALIZE, ids=[c[0] for c in NORMALIZE])
def test_normalize(name, word, expected):
    assert normalize(word) == expected


def test_offsets_point_into_the_original():
    text = "Елордада ҚР Ақпарат жəне қоғамдық даму министрлігінің"
    for t in analyze(text):
        assert text[t.start : t.end] == t.text


def test_inflections_share_a_stem():
    stems = {t.stem for t in analyze("кеңес кеңестің кеңестерінің кеңесте")}
    assert stems == {"кеңес"}


def test_stop_words_flagged_and_skipped_in_positions():
    toks = analyze("азаматтық қоғам және мемлекет")
    assert [t.stop for t in toks] == [False, False, True, False]
    positions = [(t.text, t.pos) for t in KazakhAnalyzer("stem")("азаматтық қоғам және мемлекет", positions=True)]
    assert [p for _, p in positions] == [0, 1, 2]


def test_russian_sentence_uses_snowball():
    toks = {t.text: t for t in analyze("Министерство информации и общественного развития провело встречу.")}
    assert toks["информации"].lang == "ru"
    assert toks["информации"].stem == "информац"


def test_english_words_use_snowball():
    toks = {t.text: t for t in analyze("International Fund Global Success of People")}
    assert toks["Success"].lang == "en" and toks["Success"].stem == "success"


def test_kazakh_latin_text_is_transliterated():
    toks = analyze("Qoğamdyq keñes otyrysy Astanada öttı")
    assert [t.normalized for t in toks] == ["қоғамдық", "кеңес", "отырысы", "астанада", "өтті"]


def test_folded_field_matches_typing_without_kazakh_letters():
    a = analyze("қоғамдық кеңестің")
    b = analyze("когамдык кенестин")
    assert [t.folded for t in a] == [t.folded for t in b]


@pytest.mark.parametrize(
    "word, folded",
    [("қоғамдық", None), ("кеңестің", None), ("когамдык", None), ("Қазақстанның", None), ("computers", "comput")],
)
def test_folded_stem_is_computed_on_demand(word, folded):
    """``folded`` is not computed with the analysis (no index field holds it) but equals the
    stem of the folded word when asked; the folded analyzer still emits it."""
    from searchkz import stemmer

    a = analyze_word(word)
    want = folded or stemmer.stem_folded(stemmer.fold(a.normalized))
    assert a.folded == want
    assert [t.text for t in KazakhAnalyzer("folded")(word)] == [want]
    assert [t.folded for t in analyze(word)] == [want]


def test_analyzer_pickles_with_version():
    import pickle

    an = KazakhAnalyzer("folded")
    back = pickle.loads(pickle.dumps(an))
    assert back == an and back.version == an.version


def test_snippet_prefilter_finds_what_full_analysis_finds():
    from searchkz.analysis import find_words, term_prefixes

    text = "Оның пікірінше, қоғамдық кеңестер мен іс-қимылы жəне Кеңестің оған айтқаны: ол келді."
    for terms in ({"ол"}, {"кеңес"}, {"іс-қимыл"}, {"және"}, {"кенес"}):
        want = lambda a, terms=terms: a.stem in terms or a.normalized in terms or a.folded in terms  # noqa: E731
        full = find_words(text, want)
        assert full, terms
        assert find_words(text, want, term_prefixes(terms)) == full


_CONTEXT_TEXTS = [
    "Бұл мәтін қазақша. Он сказал, что это не так и всё. Ол келді!",  # a Russian sentence among Kazakh ones
    "Qazaqstan Respublikasy men Reseı arasyndagy kelisim. Bul jaqsy. IT-mamandar keldi!",  # Latin script
    "Бұл мәтін. Meeting in London-da boldy. Это было в Астане\nи в Алматы, COVID-19-ға қарсы",
    "Министр сказал, он также будет. Жəне (Latin schwa) ҚР-дың заңы",  # Russian words but no hint: no span
]


@pytest.mark.parametrize("text", _CONTEXT_TEXTS)
def test_word_context_worked_out_lazily_is_the_texts(text):
    """The snippet path works a word's context out for that word only (its sentence; the text's
    Russian hint and script when needed): the context the whole text's analysis gives it, and the
    contexts a word is read in (:func:`_contexts`) hold every analysis it can have."""
    from searchkz.analysis import WORD_RE, _context_at, _contexts, _text_context, analyze_word

    spans, ctx = _text_context(text)
    context = _context_at(text)
    for m in WORD_RE.finditer(text):
        want = "ru" if any(a <= m.start() < b for a, b in spans) else ctx
        assert context(m.start()) == want, m.group()
        readings = {analyze_word(m.group(), c) for c in _contexts(m.group())}
        assert analyze_word(m.group(), want) in readings, m.group()
        assert analyze_word(m.group(), "") in readings and len(readings) <= len(_contexts(m.group()))


@pytest.mark.parametrize("text, latin", [
    ("Qazaqstan Respublikasy men Reseı arasyndagy kelisim. Bul jaqsy. IT-mamandar keldi!", True),
    ("Qazaqstan halqy 2021 jyly jaña älipbige köshti, jaña emle qabyldandy.", True),
    ("The meeting was held in London and Paris, with the ministers of Kazakhstan.", False),  # English
    ("Бұл мәтін қазақша, бірақ COVID-19, IT және EXPO сөздері бар.", False),  # 3 Latin words of 8
    ("Qazaqstan Almaty Shymkent қалалары", True),  # 3 Latin words of 4, one with a Kazakh Latin letter
    ("Astana Almaty Shymkent қалалары", False),  # none looks Kazakh
    ("Ақпарат COVID", False),
    ("", False),
])
def test_latin_script_text_is_told_by_its_words(text, latin):
    """A text is read as Kazakh in Latin script when 3+ of its words, at least half, begin with a
    Latin letter and a fifth of those look Kazakh (the count of Latin runs only rules texts out)."""
    from searchkz.analysis import _LAT_RE, _latin_text, _word_re_for, is_kazakh_latin

    words = _word_re_for(text).findall(text)
    latin_words = [w for w in words if _LAT_RE.match(w)]
    want = len(latin_words) >= 3 and len(latin_words) * 2 >= len(words) and (
        sum(map(is_kazakh_latin, map(str.lower, latin_words))) * 5 >= len(latin_words))
    assert _latin_text(text) == want == latin


_CANDIDATE_TEXTS = [
    "Оның пікірінше, қоғамдық кеңестер мен іс-қимылы жəне Кеңестің оған айтқаны: ол келді.",
    "ҚОҒАМДЫҚ КЕҢЕС Қоғам қоғамдық-саяси кеңес-кеңес",
    "Kоғам (Latin K) қoғам (Latin o) kogam Qoğam COVID-19 covid_қоғам",
    "abc_қоғам 2024жылы 5-ші қо\u0301ғам ко\u0301ғам",  # underscore, digits, a combining accent
    "İstanbul İSTANBUL — қоғам",  # a capital that lowercases to two characters
    "«Қоғам» — №5, 100 ₸; ½ қоғам ³кеңес µкеңес 0* *а 5-ші",
    "Ελλάδα қоғам αβ кеңес",
    "",
]
# KazQAD passage 45013_1_1 (Kazakh Wikipedia, "Меконг"; CC BY-SA 4.0): scripts whose vowel signs are
# no word letters, so a word ends right before one ("ཟ" + "ླ")
_MEKONG = ("Меконг (湄公河, ཟླ་ཆུ།, မဲခေါင်မြစ်, แม่น้ำโขง, , Sông Mê Kông, ទន្លេមេគង្គ) — Үндіқытай түбегіндегі "
           "(Қытай, Лаос, Камбоджа, Вьетнам, Мьянма, Тайланд) ең ірі өзен.")
_CANDIDATE_TERMS = [{"қоғам"}, {"кеңес", "ол"}, {"covid", "kogam"}, {"жыл"}, {"istanbul"}, {"а"}, {"ελλάδα"},
                    set(), {"0*", "*"}, {"*а", "5-"}]  # (terms of query syntax: "0* *")


@pytest.mark.parametrize("text", _CANDIDATE_TEXTS)
@pytest.mark.parametrize("terms", _CANDIDATE_TERMS, ids=lambda t: "+".join(sorted(t)))
def test_candidate_words_are_those_of_the_one_pattern(text, terms):
    """find_words' candidates (literal heads in the lowercased text, and words with a letter that is
    not Cyrillic) are exactly the words the pattern of letter classes finds."""
    from searchkz.analysis import _candidate_re, _candidates, term_prefixes

    heads = term_prefixes(terms)
    assert _candidates(text, heads) == [(m.start(), m.end(), m.group()) for m in _candidate_re(heads).finditer(text)]


def test_snippet_of_a_text_with_vowel_signs_of_other_scripts_ends():
    """A search whose hit wrote Thai, Tibetan and Khmer names hung in the candidate scan (a word
    ending right before a vowel sign sent the scan back to that sign, forever)."""
    import signal

    from searchkz.analysis import _candidate_re, _candidates, term_prefixes
    from searchkz.search import build_query, make_snippet

    def hung(*_args):
        raise TimeoutError("the candidate scan did not end")

    heads = term_prefixes({"меконг", "өзен"})
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        found = _candidates(_MEKONG, heads)
        snippet, spans = make_snippet(_MEKONG, build_query("Меконг өзені"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert found == [(m.start(), m.end(), m.group()) for m in _candidate_re(heads).finditer(_MEKONG)]
    assert [snippet[s:e] for s, e in spans] == ["Меконг", "өзен"]


def test_candidate_words_on_the_bundled_corpus(seed_dir):
    from searchkz.analysis import WORD_RE, _candidate_re, _candidates, analyze_word, term_prefixes

    texts = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    assert texts
    for text in texts:
        words = WORD_RE.findall(text)
        for i in range(0, len(words), max(1, len(words) // 25)):  # terms of ~25 of its words, three at a time
            heads = term_prefixes({analyze_word(w).stem for w in words[i : i + 3]})
            want = [(m.start(), m.end(), m.group()) for m in _candidate_re(heads).finditer(text)]
            assert _candidates(text, heads) == want
