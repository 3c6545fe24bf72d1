from searchkz.stemmer import ANALYZER_DATA_VERSION, CachedStemmer, fold, stem, stem_folded


def test_smoke():
    assert stem("кеңестерінің") == "кеңес"
    assert fold("қазақ") == "казак"
    assert stem_folded("кенестеринин") == "кенес"
    assert CachedStemmer()("кітабы") == "кітап"
    assert ANALYZER_DATA_VERSION
