"""Kazakh Latin -> Cyrillic, and the query variants the benchmark builds."""

import random

import pytest

from searchkz.analysis import normalize
from searchkz.bench.variants import rewrite, to_latin, to_lookalike, to_nokazakh
from searchkz.translit import is_kazakh_latin, latin_lower, latin_to_cyrillic


@pytest.mark.parametrize(
    "latin, cyrillic",
    [
        ("qoğamdyq", "қоғамдық"),
        ("keñes", "кеңес"),
        ("üi", "үй"),
        ("qandai", "қандай"),  # i after a vowel is й
        ("ışek", "ішек"),
        ("äkesı", "әкесі"),
        ("jändıkter", "жәндіктер"),
        ("ūlttyq", "ұлттық"),
        ("şaruaşylyğy", "шаруашылығы"),
        ("energiya", "енергия"),  # ya -> я; e is е (э is looked up in the index at search time)
        ("stantsiyasy", "станциясы"),  # ts -> ц
        # 2017 apostrophe draft and 2018 acute draft
        ("qog'am", "қоғам"),
        ("ǵylym", "ғылым"),
        ("sh", "ш"),
    ],
)
def test_latin_to_cyrillic(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


def test_kazakh_latin_markers():
    assert is_kazakh_latin("qoğam") and is_kazakh_latin("qala")  # q not before u
    assert not is_kazakh_latin("question") and not is_kazakh_latin("computer")


def test_latin_lower_turkic_capitals():
    assert latin_lower("Işek") == "ışek"
    assert latin_lower("İle") == "ile"
    assert latin_to_cyrillic(latin_lower("Işekquystylar")) == "ішекқуыстылар"


def test_variant_nokazakh():
    assert to_nokazakh("Қоғамдық кеңес әкесі ІШЕК Өнер Ұлы Үй") == "Когамдык кенес акеси ИШЕК Онер Улы Уй"


def test_variant_latin_round_trip():
    text = "Қоғамдық кеңестің жұмысы"
    lat = to_latin(text)
    assert lat == "Qoğamdyq keñestıñ jūmysy"
    assert " ".join(latin_to_cyrillic(latin_lower(w)) for w in lat.split()) == text.lower()
    assert to_latin("Ішек Ыстық Иран") == "Işek Ystyq İran"


def test_variant_lookalike_is_seeded_and_repairable():
    text = "Энергетикалық алмасу дегеніміз не және қалай жүреді"
    a = to_lookalike(text, random.Random(7))
    b = to_lookalike(text, random.Random(7))
    assert a == b and a != text
    # every word stays mostly Cyrillic, so the analyzer's repair maps it back
    assert [normalize(w) for w in a.split()] == [w.lower() for w in text.split()]


def test_rewrite_keeps_qids_and_is_deterministic():
    qs = [("q1", "Қоғамдық кеңес"), ("q2", "Дулат ақынның әкесі кім?")]
    for kind in ("nokazakh", "latin", "lookalike"):
        out = rewrite(qs, kind)
        assert [q for q, _ in out] == ["q1", "q2"]
        assert out == rewrite(qs, kind)
    with pytest.raises(ValueError):
        rewrite(qs, "klingon")
