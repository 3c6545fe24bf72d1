"""The KazNERD phenomena evaluation's judge (searchkz.bench.phenomena): relevance decided from
the text alone.  Sentences marked with an id are from IS2AI/KazNERD (Yeshpanov et al., LREC 2022;
Kazakh TV news transcripts), CC BY 4.0, copied unchanged; the others are from the bundled corpus."""

import pytest

from searchkz.bench.phenomena import _WORD, _prefixes, literal, mentions_acronym, mentions_name

NAME_CASES = [
    # (full name, sentence, mentions it?)
    # орны / орындары: a stem that drops its high vowel before a vowel suffix
    ("жоғары оқу орны", "Жоғары оқу орындарына дербестік берілді.", True),  # AID226068
    ("жоғары оқу орны", "Алматыда үміткерлер кешенді тестті төрт жоғарғы оқу орнының қабырғасында тапсырды.", True),  # AID239325
    ("біріккен ұлттар ұйымы", "Біріккен Ұлттар Ұйымының Таяу Шығыстағы миссиясына баратын сарбаздарға "
                              "қандай талап қойылады?", True),  # AID242721
    ("америка құрама штаттары", "Америка Құрама Штаттарының Орталық Азия елдерімен ынтымақтастық үшін қандай "
                                "ұсыныстар жасайтыны өте маңызды.", True),  # AID326862
    ("үкіметтік емес ұйым", "Үкімет, Парламент және үкіметтік емес ұйымдардың бірлескен шаралары туралы "
                            "баяндап берді.", True),  # AID310589
    # the name's words, not in a row
    ("үкіметтік емес ұйым", "Біріккен Ұлттар Ұйымының тұрақты даму мақсаттары аясында халықтың үніне құлақ "
                            "асатын Үкімет тұжырымдамасын іске қостым.", False),  # AID331063
    ("жоғары оқу орны", "Министр Үкімет жанынан ҚК үйлестіру орталығын құру, өзекті мәселелердің бірыңғай "
                        "базасын ашу", False),  # 003
]


@pytest.mark.parametrize("name,sentence,want", NAME_CASES)
def test_mentions_name(name, sentence, want):
    words = [w.lower() for w in _WORD.findall(sentence)]
    assert mentions_name(words, _prefixes(name)) is want


@pytest.mark.parametrize("text,acronym,want", [
    ("Іс-шарада Мемлекеттік орган, ҮЕҰ жəне бизнес құрылымы арасындағы", "ҮЕҰ", True),  # 002
    ("Елімізде дауыс беру процесі аяқталғанмен, АҚШ-тағы сайлау учаскелерінде әлі де жалғасып жатыр.",
     "АҚШ", True),  # AID233004
    ("Олардың ішінде ҚК-нің үйлестіру орталығын құру", "ҚК", True),  # 003
    ("Олардың ішінде ҚК-нің үйлестіру орталығын құру", "К", False),  # inside a word
])
def test_mentions_acronym(text, acronym, want):
    assert mentions_acronym(text, acronym) is want


def test_literal_baseline_takes_a_hyphenated_word_whole():
    sentence = "Елімізде дауыс беру процесі аяқталғанмен, АҚШ-тағы сайлау учаскелерінде әлі де жалғасып жатыр."
    assert literal(sentence, "АҚШ") is False
    assert literal(sentence, "сайлау") is True
