"""Table-driven tests for the Kazakh stemmer: (word, expected stem) grouped by phenomenon."""

import pytest

from searchkz.stemmer import ANALYZER_DATA_VERSION, CachedStemmer, fold, stem, stem_folded

PLURAL = [
    ("кітаптар", "кітап"), ("балалар", "бала"), ("адамдар", "адам"), ("мектептер", "мектеп"),
    ("үйлер", "үй"), ("қалалар", "қала"), ("мұғалімдер", "мұғалім"),
]
POSSESSIVE = [
    ("досым", "дос"), ("достарым", "дос"), ("баламыз", "бала"), ("кеңестері", "кеңес"),
]
CASE = [
    ("кеңестің", "кеңес"), ("кеңесте", "кеңес"), ("кеңестерінің", "кеңес"),
    ("қоғамдарының", "қоғам"), ("ұйымдарының", "ұйым"), ("мұғалімдерге", "мұғалім"),
    ("қазақстанның", "қазақстан"), ("қазақстанда", "қазақстан"), ("досымен", "дос"),
    ("балалардың", "бала"),
]
VERB_FORMS = [
    ("келеді", "кел"), ("келді", "кел"), ("келген", "кел"), ("келіп", "кел"),
    ("келмейді", "кел"), ("барамын", "бар"), ("баруға", "бар"), ("жазған", "жаз"),
    ("жазады", "жаз"), ("барғанымызда", "бар"), ("өткізуге", "өткіз"),
]
ALTERNATIONS = [
    ("кітабы", "кітап"), ("кітабымен", "кітап"), ("жүрегі", "жүрек"), ("ағашы", "ағаш"),
]
VOWEL_DROP = [
    ("халқы", "халық"), ("орны", "орын"), ("аузы", "ауыз"),
]
OVER_STEMMING_GUARDS = [
    ("мама", "мама"), ("маман", "маман"), ("маманда", "маман"), ("от", "от"), ("өт", "өт"),
    ("ән", "ән"), ("аң", "аң"), ("қала", "қала"), ("адам", "адам"), ("ана", "ана"),
    ("ата", "ата"), ("дала", "дала"), ("жұмыссыз", "жұмыссыз"), ("оқушылар", "оқушы"),
]
# A word that is itself a well-supported stem keeps it, so a search for the base form
# finds the inflected ones (ұйым must not become ұйы-м while ұйымдардың -> ұйым).
BASE_AND_INFLECTED = [
    ("ұйым", "ұйымдар"), ("ұйым", "ұйымдардың"), ("қоғам", "қоғамның"), ("кеңес", "кеңестің"),
    ("маман", "мамандар"), ("маман", "маманда"), ("адам", "адамдар"), ("орын", "орны"),
    ("мектеп", "мектебі"), ("білім", "білімнің"), ("әлем", "әлемдегі"), ("заман", "заманның"),
    ("қазан", "қазанда"), ("жұмыс", "жұмысы"), ("ғылым", "ғылымның"), ("тарих", "тарихы"),
]
SEPARATE_STEMS = [("мама", "маман"), ("ұйым", "ұй")]
# Verb-root alternations: ы/і + -й written и, root-final ы/і merged into -у, dropped vowel.
VERB_ALTERNATIONS = [("оқиды", "оқы"), ("оқу", "оқы"), ("оқыған", "оқы"), ("қорқады", "қорық")]
PROPER_NOUNS = [
    ("балаеваның", "балаева"), ("тоқаевтың", "тоқаев"), ("астанада", "астана"),
    ("шымкентте", "шымкент"),
]
# A surname in -ов on a Kazakh root takes its suffixes in the root's harmony (Әуезовтің, not
# Әуезовтың); a back root keeps back suffixes.
SURNAMES_OV = [
    ("әуезовтің", "әуезов"), ("әуезовке", "әуезов"), ("әуезовтен", "әуезов"), ("мүсіреповтің", "мүсірепов"),
    ("сүлейменовтің", "сүлейменов"), ("жансүгіровтің", "жансүгіров"), ("құдайбергеновке", "құдайбергенов"),
    ("байтұрсыновтың", "байтұрсынов"), ("ивановтың", "иванов"),
]
# Russian loans in ь take Kazakh noun suffixes after the consonant before it (апрель-де, медаль-ді);
# a chain that needs a vowel before it does not split (фильм-де), nor does a word of its own (Польша).
SOFT_SIGN = [
    ("апрельде", "апрель"), ("израильдің", "израиль"), ("лагерьлерінде", "лагерь"), ("медальді", "медаль"),
    ("корольге", "король"), ("тянь-шаньның", "тянь-шань"), ("фильмде", "фильм"), ("польша", "польша"),
    ("апрель", "апрель"),
]
HYPHENATED_AND_FOREIGN = [
    ("іс-қимылының", "іс-қимыл"), ("2010", "2010"), ("covid", "covid"), ("х5", "х5"),
]
# The analyzer repairs look-alike Latin letters; stem() receives the repaired word,
# and a folded word (no Kazakh letters) is handled by stem_folded.
LOOK_ALIKES = [
    ("кеңестерінің", "кеңес"),  # after the analyzer mapped Latin і/е/с back to Cyrillic
]

CASES = [
    pytest.param(w, s, id=f"{name}-{w}")
    for name, table in [
        ("plural", PLURAL), ("possessive", POSSESSIVE), ("case", CASE), ("verb", VERB_FORMS),
        ("alternation", ALTERNATIONS), ("vowel_drop", VOWEL_DROP), ("verb_alt", VERB_ALTERNATIONS),
        ("guard", OVER_STEMMING_GUARDS), ("proper", PROPER_NOUNS), ("surname_ov", SURNAMES_OV),
        ("hyphen_foreign", HYPHENATED_AND_FOREIGN), ("soft_sign", SOFT_SIGN), ("lookalike", LOOK_ALIKES),
    ]
    for w, s in table
]


@pytest.mark.parametrize("word,expected", CASES)
def test_stem(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("base,inflected", BASE_AND_INFLECTED, ids=[f"{a}-{b}" for a, b in BASE_AND_INFLECTED])
def test_base_form_and_inflected_form_share_a_stem(base, inflected):
    assert stem(base) == stem(inflected) == base
    assert stem_folded(fold(base)) == stem_folded(fold(inflected)) == fold(base)


@pytest.mark.parametrize("a,b", SEPARATE_STEMS)
def test_different_words_keep_different_stems(a, b):
    assert stem(a) != stem(b)


def test_first_call_is_cheap():
    """The shipped tables are decoded per bucket: a cold stem() must not rebuild them."""
    import subprocess
    import sys

    code = ("import time; t = time.perf_counter(); from searchkz.stemmer import stem, stem_folded; "
            "stem('қоғамдарымыз'); stem_folded('когамдарымыз'); print(time.perf_counter() - t)")
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(3))
    assert best < 0.3, best


FOLDED = [("кенестеринин", "кенес"), ("кітаптар", None), ("казакстаннын", "казакстан")]


@pytest.mark.parametrize("word,expected", [(w, s) for w, s in FOLDED if s])
def test_stem_folded(word, expected):
    assert stem_folded(word) == expected


@pytest.mark.parametrize("word", [w for table in (PLURAL, CASE, VERB_FORMS, PROPER_NOUNS) for w, _ in table])
def test_fold_commutes(word):
    assert fold(stem(word)) == stem_folded(fold(word))


def test_fold_map():
    assert fold("әғқңөұүһі") == "агкноуухи"


def test_cached_stemmer_clears_when_full():
    cs = CachedStemmer(maxsize=2)
    assert [cs(w) for w in ("кітаптар", "балалар", "үйлер")] == ["кітап", "бала", "үй"]
    assert len(cs.cache) <= 2


def test_deterministic_and_version():
    assert stem("кеңестерінің") == stem("кеңестерінің")
    assert isinstance(ANALYZER_DATA_VERSION, str) and ANALYZER_DATA_VERSION


def test_stems_begin_their_words():
    """What may_stem_to relies on: a plain Cyrillic word's stem (in each alphabet and each context
    analyze_word gives it) is an irregular lemma, or its word begins with the stem but its last letter, or but the
    high vowel before its last consonant (the vowel-drop table; every word of the bundled corpus)."""
    from pathlib import Path

    from searchkz.analysis import _PLAIN_WRITTEN, WORD_RE, _contexts, analyze_word, normalize
    from searchkz.stemmer import _FOLDED, _KK, fold, may_stem_to, stem_heads

    assert all(k.startswith(stem_heads({v})) for k, v in _KK.vowel_drop.items())
    assert all(k.startswith(stem_heads({v}, folded=True)) for k, v in _FOLDED.vowel_drop.items())
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    words = {normalize(w) for p in corpus.glob("*.txt") for w in WORD_RE.findall(p.read_text(encoding="utf-8"))}
    words |= {"халқы", "мұрны", "оған", "маған", "кітабы", "жүрегі", "оқиды", "тауып", "оқу", "апрельде", "россии"}
    words = {w for w in words if _PLAIN_WRITTEN.match(w)}  # (what analysis.may_match judges so)
    assert len(words) > 1000
    for w in words:
        for c in _contexts(w):
            a = analyze_word(w, c)
            assert may_stem_to(w, stem_heads({a.stem})), (w, c, a.stem)
            assert may_stem_to(fold(w), stem_heads({a.folded}, folded=True), folded=True), (w, c, a.folded)


@pytest.mark.parametrize(
    "word, stems, folded, want",
    [
        ("когамдагы", {"когам"}, True, True),
        ("кенестин", {"когам"}, True, False),  # (not stemmed: it cannot be)
        ("кенестин", {"кенес", "когам"}, True, True),
        ("оган", {"ол"}, True, True),  # an irregular form
        ("халкы", {"халык"}, True, True),  # a dropped vowel
        ("ба", {"жыл"}, True, False),
        ("жыл", {"ж"}, True, True),  # a one-letter stem: no letters to compare
        ("қоғамдағы", {"қоғам"}, False, True),
        ("қолы", {"қоғам"}, False, False),
        ("халқы", {"халық"}, False, True),
        ("кітабы", {"кітап"}, False, True),  # a voiced last letter
        ("оқу", {"оқы"}, False, True),  # a root vowel merged into the verbal noun
        ("маған", {"мен"}, False, True),  # an irregular form
        ("алма", {"ел"}, False, False),  # two letters: all but the last compared
        ("елде", {"ел"}, False, True),
    ],
)
def test_may_stem_to(word, stems, folded, want):
    from searchkz.stemmer import may_stem_to, stem_heads

    assert may_stem_to(word, stem_heads(stems, folded=folded), folded=folded) is want


def test_derived_noun_endings_have_two_letters():
    """What the stemmer's derived-noun check relies on: it reads the two letters after a stem."""
    from searchkz.lang.kk import suffixes as S

    assert all(len(e) == 2 for e in S.DERIVED_NOUN_ENDINGS + S.DERIVED_NOUN_NEGATION_LIKE)
