"""Every string in the stemmer's language-data modules is NFC and purely Cyrillic."""

import unicodedata

import pytest

from searchkz.lang.kk import alphabet, exceptions, folding, suffixes

CYRILLIC = set("абвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюяә-")


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(obj, (tuple, list, set, frozenset)):
        for x in obj:
            yield from _strings(x)


def _data(module):
    for name, value in vars(module).items():
        if name.startswith("_") or not name.isupper():
            continue
        for s in _strings(value):
            yield f"{module.__name__}.{name}", s


CASES = [c for m in (alphabet, exceptions, folding, suffixes) for c in _data(m)]


@pytest.mark.parametrize("where,s", CASES)
def test_nfc_and_cyrillic(where, s):
    assert unicodedata.normalize("NFC", s) == s, where
    assert set(s) <= CYRILLIC, (where, s, sorted(set(s) - CYRILLIC))


def test_found_data():
    assert len(CASES) > 300


def test_shipped_stemmer_tables_equal_a_fresh_build():
    """lang/kk/stemdata.txt.gz is generated (python -m searchkz.bench.stemmer --build-data):
    it must equal a build from the shipped lexicon and the current grammar."""
    from searchkz.bench.stemmer import build_data

    path, size, same = build_data(check=True)
    assert same, f"{path} is stale: run python -m searchkz.bench.stemmer --build-data"
    assert size < 3_000_000


def test_shipped_data_size():
    from pathlib import Path

    import searchkz.lang.kk as kk

    folder = Path(kk.__file__).parent
    total = sum(p.stat().st_size for p in folder.iterdir() if p.suffix in (".gz", ".txt"))
    assert total < 3_000_000
