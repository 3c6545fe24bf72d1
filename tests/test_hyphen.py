"""Suffixes after a hyphen and hyphenated compounds (issue 17), on real sentences.

Sentences marked KazNERD are from IS2AI/KazNERD (Yeshpanov et al., LREC 2022; Kazakh TV news
transcripts), CC BY 4.0, copied unchanged with their ids.
"""

import json

import pytest

from searchkz import Index
from searchkz.analysis import analyze, analyze_word, hyphen_parts
from searchkz.hyphens import is_suffix_tail

# KazNERD sentences (id, text)
SENTENCES = {
    "AID233004": "Елімізде дауыс беру процесі аяқталғанмен, АҚШ-тағы сайлау учаскелерінде әлі де жалғасып жатыр.",
    "AID316076": "Ал АҚШ Орталық Азияға қатысты жаңа стратегиясын жариялады.",
    "AID339715": "«Шетелдік БАҚ-тағы үздік жарияланым» атты жаңа номинация қосылды.",
    "BID307324": "«Рухани жаңғыру» бағдарламасы бойынша Қазақстанның киелі жерлерінің картасына енген "
    "Есік қорық-музейі 2010-ыншы жылы ашылған.",
    "AID313052": "Бүгін біз Қазақстан астанасы Нұр-Сұлтан қаласында бас қосып отырмыз.",
    "DID253234": "Ал технологиялық саладағы әріптестікті арттыруға Astana Hub IT-стартаптар алаңында "
    "жас мамандардың форумын өткізу қажет.",
    "AID225757": "Ғимарат ЭКСПО-қалашығының маңында бой көтермек.",
}


@pytest.mark.parametrize(
    "word, stem, parts",
    [
        # acronym + suffix chain: the acronym (in capitals), no parts
        ("АҚШ-тың", "АҚШ", []),
        ("АҚШ-тағы", "АҚШ", []),
        ("ҮЕҰ-лардың", "ҮЕҰ", []),
        ("ҚР-дың", "ҚР", []),
        ("БАҚ-тағы", "БАҚ", []),
        ("ҚК-нің", "ҚК", []),
        # a Latin word or a number + suffix chain
        ("COVID-19-ға", "covid-19", ["covid", "19"]),
        ("100-ден", "100", []),
        ("5-ші", "5", []),
        ("2010-ыншы", "2010", []),
        # a number + a word: the number, the word a part
        ("2019-жылы", "2019", ["жыл"]),
        # compounds: head + stemmed last part, each part indexed
        ("Нұр-Сұлтан", "нұр-сұлтан", ["нұр", "сұлтан"]),
        ("Нұр-Сұлтанның", "нұр-сұлтан", ["нұр", "сұлтан"]),
        ("IT-стартаптар", "it-стартап", ["it", "стартап"]),
        ("IT-мамандарды", "it-маман", ["it", "маман"]),
    ],
)
def test_hyphenated_word_stem_and_parts(word, stem, parts):
    a = analyze_word(word)
    assert a.stem == stem
    assert [p.stem for p in hyphen_parts(a, word)] == parts


@pytest.mark.parametrize("word", ["Қасым-Жомарт", "Нұр-Сұлтан", "өзін-өзі", "ата-ана", "IT-маман", "Тянь-Шань"])
def test_compound_parts_are_the_parts_typed_alone(word):
    pieces = word.split("-")
    want = [analyze_word(p).stem for p in pieces]
    got = [p.stem for p in hyphen_parts(analyze_word(word), word)]
    assert all(g in want for g in got) and got  # each part as it is typed alone (repeats and stop words left out)


@pytest.mark.parametrize(
    "tail, is_tail",
    [("тың", True), ("лардың", True), ("ға", True), ("і", True), ("ші", True), ("ыншы", True),
     ("ншы", True), ("жылы", False), ("сұлтан", False), ("мамандар", False)],
)
def test_suffix_tails(tail, is_tail):
    assert is_suffix_tail(tail) is is_tail


def test_analyze_shows_the_base_of_real_sentences():
    stems = {t.text: t.stem for t in analyze(SENTENCES["AID233004"] + " " + SENTENCES["AID339715"])}
    assert stems["АҚШ-тағы"] == "АҚШ" and stems["БАҚ-тағы"] == "БАҚ"


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    d = tmp_path_factory.mktemp("hyph17")
    path = d / "docs.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i, t in SENTENCES.items():
            f.write(json.dumps({"id": i, "title": "", "text": t}, ensure_ascii=False) + "\n")
    index = Index(d / "index")
    index.reindex(path, procs=1)
    return index


@pytest.mark.parametrize(
    "query, want",
    [
        ("АҚШ", {"AID233004", "AID316076"}),  # with and without a suffix after the hyphen
        ("АҚШ-тың", {"AID233004", "AID316076"}),
        ("БАҚ", {"AID339715"}),
        ("2010", {"BID307324"}),
        ("2010 жылы", {"BID307324"}),
        ("Нұр Сұлтан", {"AID313052"}),  # a compound typed with a space
        ("Сұлтан", {"AID313052"}),
        ("IT", {"DID253234"}),
        ("стартап", {"DID253234"}),
    ],
)
def test_each_form_finds_the_sentences(ix, query, want):
    assert {h.id for h in ix.search(query, limit=20)} == want


def test_highlight_covers_the_whole_written_form(ix):
    hit = ix.search("АҚШ", limit=5)
    marked = {h.id: [h.snippet[s:e] for s, e in h.highlights] for h in hit}
    assert marked["AID233004"] == ["АҚШ-тағы"]
    assert marked["AID316076"] == ["АҚШ"]


@pytest.mark.parametrize(
    "query, sid, marked",
    [
        ("Сұлтан", "AID313052", ["Нұр-Сұлтан"]),  # a later part: the whole written form
        ("Нұр Сұлтан", "AID313052", ["Нұр-Сұлтан"]),
        ("стартап", "DID253234", ["IT-стартаптар"]),
        ("IT", "DID253234", ["IT-стартаптар"]),
        ("жыл", "BID307324", ["жылы"]),  # (2010-ыншы is the year and a suffix, not a compound)
        ("музей", "BID307324", ["қорық-музейі"]),
        ("қалашық", "AID225757", ["ЭКСПО-қалашығының"]),
    ],
)
def test_a_part_found_is_highlighted_as_the_whole_word(ix, query, sid, marked):
    hits = {h.id: h for h in ix.search(query, limit=20)}
    h = hits[sid]
    got = [h.snippet[s:e] for s, e in h.highlights]
    assert got == marked
