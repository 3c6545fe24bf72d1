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
PROPER_NOUNS = [
    ("балаеваның", "балаева"), ("тоқаевтың", "тоқаев"), ("астанада", "астана"),
    ("шымкентте", "шымкент"),
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
        ("alternation", ALTERNATIONS), ("vowel_drop", VOWEL_DROP),
        ("guard", OVER_STEMMING_GUARDS), ("proper", PROPER_NOUNS),
        ("hyphen_foreign", HYPHENATED_AND_FOREIGN), ("lookalike", LOOK_ALIKES),
    ]
    for w, s in table
]


@pytest.mark.parametrize("word,expected", CASES)
def test_stem(word, expected):
    assert stem(word) == expected


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
