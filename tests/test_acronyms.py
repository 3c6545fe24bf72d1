"""Acronyms and their full names (issue 17), on real sentences and the bundled corpus.

Sentences marked KazNERD are from IS2AI/KazNERD (Yeshpanov et al., LREC 2022; Kazakh TV news
transcripts), CC BY 4.0, copied unchanged with their ids.
"""

import json

import pytest

from searchkz import Index
from searchkz import acronyms
from searchkz.acronyms import definitions, full_names, is_acronym
from searchkz.analysis import KazakhAnalyzer, analyze_word
from searchkz.lang.kk.acronyms import ACRONYMS

KAZNERD = {
    "AID242721": "Біріккен Ұлттар Ұйымының Таяу Шығыстағы миссиясына баратын сарбаздарға қандай талап қойылады?",
    "AID245332": "Еуразиялық экономикалық одақ құру бастамасы да Елбасына тиесілі.",
    "AID349365": "Дегенмен төтенше жағдай режимі өткеннен кейін базардағы санитарлық талапты сақтау тәртібі босаңсыған.",
    "AID316076": "Ал АҚШ Орталық Азияға қатысты жаңа стратегиясын жариялады.",
    "AID237142": "Мемлекет басшысының ендігі сапары Америка Құрама Штаты болады деп күтілуде.",
    "AID233004": "Елімізде дауыс беру процесі аяқталғанмен, АҚШ-тағы сайлау учаскелерінде әлі де жалғасып жатыр.",
    "AID340912": "Бұған дейін ведомство қазақстандық бес жоғары оқу орнының лицензиясын қайтарып алған болатын.",
    "AID239325": "Алматыда үміткерлер кешенді тестті төрт жоғарғы оқу орнының қабырғасында тапсырды.",
}


def test_the_table_is_language_data_with_sources():
    assert len(ACRONYMS) >= 150
    for acr, names in ACRONYMS.items():
        assert sum(c.isupper() for c in acr) >= 2, acr
        for name, source in names:
            assert name == name.lower() and len(name.split()) >= 1
            assert source in {"adilet", "wiki", "notes", "corpus", "usage"}, (acr, source)
    assert full_names("ҚК") == ["қоғамдық кеңес", "қылмыстық кодекс", "қарулы күштер"]  # several meanings


@pytest.mark.parametrize(
    "word, acronym",
    [("БҰҰ", True), ("ҚазҰУ", True), ("ЖОО", True), ("ҚК", True), ("ЖСН", True),
     ("ЖЫЛ", False),  # an all-caps headline's word
     ("Ақ", False), ("бұұ", False), ("Қазақстан", False), ("АҚ", True)],
)
def test_which_words_are_acronyms(word, acronym):
    assert is_acronym(word) is acronym


@pytest.mark.parametrize(
    "word, normalized, stem",
    [("БҰҰ", "БҰҰ", "БҰҰ"), ("ІІМ", "ІІМ", "ІІМ"), ("ҚазҰУ", "ҚАЗҰУ", "ҚАЗҰУ"),
     ("бақ", "бақ", "бақ"),  # the word "luck" is not the acronym БАҚ
     ("БАҚ", "БАҚ", "БАҚ")],
)
def test_acronyms_are_indexed_in_capitals(word, normalized, stem):
    a = analyze_word(word)
    assert (a.normalized, a.stem) == (normalized, stem)


def test_every_full_name_is_found_by_its_first_stem_alone():
    """The table's names are stemmed only for the first two letters a searched text's stems begin
    with: each name must be found when its own stems come, alone, as a fresh process would."""
    from searchkz import acronyms

    for acr, names in ACRONYMS.items():
        for name, _src in names:
            stems = list(acronyms.name_stems(name))
            if not stems:
                continue
            acronyms._TABLE.clear()
            acronyms._LOADED.clear()
            assert (0, len(stems), acronyms.key(acr)) in acronyms.find_names(stems, query=True), name


@pytest.mark.parametrize(
    "text, defs",
    [
        # corpus/003_ef5e74323f016fa6.txt
        ("облыстардың, Нұр-Сұлтан, Алматы және Шымкент қалаларының қоғамдық кеңестерінің (ҚК) төрағаларымен",
         [("ҚК", "қоғамдық кеңестерінің")]),
        ("Білім және ғылым министрлігі (БҒМ) хабарлады", [("БҒМ", "білім және ғылым министрлігі")]),  # function word
        ("үкіметтік емес ұйымдар (ҮЕҰ) өкілдері", [("ҮЕҰ", "үкіметтік емес ұйымдар")]),
        ("ҚТҚ (Қазақ тілі қоғамы) жиналысы", [("ҚТҚ", "қазақ тілі қоғамы")]),  # ACR (full name)
        ("ҚазҰУ (Қазақ ұлттық университеті) студенттері", [("ҚАЗҰУ", "қазақ ұлттық университеті")]),
        ("министрлік өкілдері (ҚК) келді", []),  # initials do not match
        ("жиналыс (2019 жыл) өтті", []),
    ],
)
def test_definitions_in_text(text, defs):
    assert definitions(text) == defs


def test_a_full_name_is_also_indexed_as_its_acronym_at_its_position():
    terms = KazakhAnalyzer("stem").index_terms(KAZNERD["AID242721"])
    assert ("БҰҰ", 0) in terms and ("ұйым", 2) in terms
    assert "БҰҰ" not in [t for t, _ in KazakhAnalyzer("exact").index_terms(KAZNERD["AID242721"])]


@pytest.mark.parametrize(
    "text, output, length, added",
    [
        (KAZNERD["AID242721"], "stem", 11, ["БҰҰ"]),  # Біріккен Ұлттар Ұйымы: БҰҰ at its first word
        (KAZNERD["AID242721"], "exact", 11, []),
        (KAZNERD["AID245332"], "stem", 7, ["ЕАЭО"]),  # Еуразиялық экономикалық одақ
        (KAZNERD["AID316076"], "stem", 7, ["ОА"]),  # АҚШ is written (a word); Орталық Азия adds ОА
        (KAZNERD["AID233004"], "stem", 10, []),  # АҚШ-тағы: one word, stemmed to АҚШ
        ("Тәуелсіз Мемлекеттер Достастығы", "stem", 3, ["ТМД"]),  # a title
        # an article's own definition: the exact field's marker is not a word either
        ("Қазақ тілі қоғамы (ҚТҚ) жиналысы өтті. ҚТҚ төрағасы сөз сөйледі.", "stem", 10, ["ҚТҚ"]),
        ("Қазақ тілі қоғамы (ҚТҚ) жиналысы өтті. ҚТҚ төрағасы сөз сөйледі.", "exact", 10,
         ["\x01қтқ\x01қазақ тілі қоғамы"]),
        # a hyphenated compound's parts still count, as they did before acronyms were indexed
        ("Жылдық жауын-шашын экватор маңында", "exact", 6, []),
    ],
)
def test_a_field_length_counts_the_words_not_the_acronyms_indexed_for_them(text, output, length, added):
    an = KazakhAnalyzer(output)
    terms = an.index_terms(text)
    assert an.counted_length(text) == length
    assert [t for t, _ in terms[length:]] == added  # what indexing adds after the text's own terms


def test_an_indexed_acronym_leaves_the_article_length_alone(tmp_path):
    """Both writers (the full reindex's, and Whoosh's for an update) store the counted length
    (the field's total: a document's own length is kept as a lossy byte)."""
    from searchkz.index import _open_whoosh, current_generation

    def lengths(ix):
        with _open_whoosh(current_generation(ix.path)).reader() as r:
            return r.doc_count(), r.field_length("body"), r.field_length("exact")

    path = tmp_path / "one.jsonl"
    ix = Index(tmp_path / "index")
    for text, full in ((KAZNERD["AID242721"], True), (KAZNERD["AID242721"] + " Иә, БҰҰ.", False)):
        path.write_text(json.dumps({"id": "a", "title": "", "text": text}, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        assert ix.reindex(path, procs=1).full is full  # the second: Whoosh's writer
        n = KazakhAnalyzer("stem").counted_length(text)
        assert n < len(KazakhAnalyzer("stem").index_terms(text))  # БҰҰ indexed, not counted
        assert lengths(ix) == (1, n, n)
    ix.close()


@pytest.fixture(scope="module")
def nerd(tmp_path_factory):
    d = tmp_path_factory.mktemp("acr17")
    docs = [{"id": i, "title": "", "text": t} for i, t in KAZNERD.items()]
    docs += [
        {"id": "def", "title": "", "text": "Қазақ тілі қоғамы (ҚТҚ) жиналысы өтті. ҚТҚ төрағасы сөз сөйледі."},
        {"id": "uses", "title": "", "text": "Кеше қазақ тілі қоғамының мүшелері кездесті."},
        {"id": "joo", "title": "", "text": "Биыл ЖОО-ларға мемлекеттік грант бөлінді."},
        {"id": "jao", "title": "", "text": "ЖАО басшылары есеп берді."},
    ]
    path = d / "docs.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in docs), encoding="utf-8")
    ix = Index(d / "index")
    ix.reindex(path, procs=1)
    return ix


@pytest.mark.parametrize(
    "query, first, found",
    [
        ("БҰҰ", "AID242721", {"AID242721"}),
        ("ЕАЭО", "AID245332", {"AID245332"}),
        ("ТЖ", "AID349365", {"AID349365"}),
        ("бұұ", "AID242721", {"AID242721"}),  # typed in lowercase
        # a full name also searches its acronym; the name as typed ranks first
        ("Америка Құрама Штаттары", "AID237142", {"AID237142", "AID316076", "AID233004"}),
        # the archive's own definition: ҚТҚ finds the article that only spells it out
        ("ҚТҚ", "def", {"def", "uses"}),
    ],
)
def test_acronym_and_full_name_find_each_other(nerd, query, first, found):
    hits = nerd.search(query, limit=20)
    assert hits[0].id == first
    assert {h.id for h in hits} >= found


@pytest.mark.parametrize("typed, capitals", [("бұұ AND біріккен", "БҰҰ AND біріккен"), ("тж OR ақш", "ТЖ OR АҚШ"),
                                              ("title:ЖАО OR жао", "title:ЖАО OR ЖАО"),
                                              ("бұұ-ның OR ақш-тың", "БҰҰ-ның OR АҚШ-тың")])  # (with a suffix)
def test_a_known_acronym_in_lowercase_in_a_syntax_query(nerd, typed, capitals):
    """Typed in lowercase, a known acronym is searched in a syntax query too, as in free text
    ("бұұ AND біріккен" found nothing; "бұұ" alone finds the UN)."""
    want = {h.id for h in nerd.search(capitals, limit=20)}
    assert want and {h.id for h in nerd.search(typed, limit=20)} == want


@pytest.mark.parametrize("query, first", [("ЖОО", None), ("жоғары оқу орны", "AID340912"),
                                          ("жоғарғы оқу орны", "AID239325")])
def test_a_name_news_writes_beside_the_official_one(nerd, query, first):
    """ЖОО is "жоғары оқу орны" officially and "жоғарғы оқу орны" in a third of the news that spells
    it out (the table's "usage" line): the acronym and each name find the others; the typed name
    first.  A usage line is no second meaning: each name still searches the acronym."""
    hits = {h.id: h for h in nerd.search(query, limit=20)}
    assert {"AID340912", "AID239325", "joo"} <= set(hits)
    if first:
        assert next(iter(hits)) == first
    variant = hits["AID239325"]
    assert [variant.snippet[s:e] for s, e in variant.highlights] == ["жоғарғы", "оқу", "орнының"]


@pytest.mark.parametrize("query", ["жергілікті атқарушы орган", "жергілікті атқару органы"])
def test_a_full_name_with_a_usage_line_searches_its_acronym(nerd, query):
    assert "jao" in {h.id for h in nerd.search(query, limit=20)}
    assert acronyms.meanings("ЖАО") == ["жергілікті атқарушы орган"]
    assert acronyms.meanings("ҚК") == acronyms.full_names("ҚК")  # three meanings, no usage line


def test_highlights_show_the_full_name_that_matched(nerd):
    hit = nerd.search("БҰҰ", limit=1)[0]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Біріккен", "Ұлттар", "Ұйымының"]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    from conftest import SEED_DIR

    ix = Index(tmp_path_factory.mktemp("bundled17") / "index")
    ix.reindex(SEED_DIR, procs=1)
    return ix


def test_bundled_corpus_acronyms(bundled):
    ngo = [h.id[:3] for h in bundled.search("ҮЕҰ", limit=10)]
    # every article that mentions NGOs, as ҮЕҰ or as "үкіметтік емес ұйым(дар)"
    assert set(ngo) == {"000", "002", "004"}
    assert bundled.search("ҚК", limit=10)[0].id.startswith("003")


def test_analyze_shows_the_expansion():
    from searchkz.analysis import analyze

    toks = {t.text: t.expands for t in analyze("БҰҰ-ның өкілі Біріккен Ұлттар Ұйымының жиынында")}
    assert toks["БҰҰ-ның"] == ("біріккен ұлттар ұйымы",)
    assert toks["Біріккен"] == ("БҰҰ",)
    assert toks["өкілі"] == ()


def test_cli_analyze_prints_the_expansion():
    from click.testing import CliRunner

    from searchkz.cli import main

    res = CliRunner().invoke(main, ["analyze", "ТЖ жарияланды"])
    assert res.exit_code == 0
    assert res.output.splitlines()[0].endswith("= төтенше жағдай")
