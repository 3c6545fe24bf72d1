"""The outlet of an article (the ``source`` field), rule by rule."""

from __future__ import annotations

import pytest

from searchkz.corpus import Article, read_corpus
from searchkz.outlet import normalize, outlet_of

CASES = [
    # (file under the corpus, JSONL keys, beginning of the text, outlet)
    ("news.jsonl", {"source": "Egemen Qazaqstan"}, "", "Egemen Qazaqstan"),
    ("news.jsonl", {"source": "  BAQ.KZ "}, "", "baq.kz"),
    ("news.jsonl", {"url": "https://www.inform.kz/kz/article/123"}, "", "inform.kz"),
    ("news.jsonl", {"url": "tengrinews.kz/kazakhstan_news/1"}, "", "tengrinews.kz"),
    ("news.jsonl", {"source": "Kazinform", "url": "https://baq.kz/a"}, "", "Kazinform"),  # the key first
    ("news.jsonl", {"url": "not a url"}, "", ""),
    ("baq/2019/a.txt", {}, "", "baq"),  # first folder under the corpus
    ("baq/a.txt", {}, "Астана, Kazinform тілшісі.", "baq"),  # the folder before the byline
    ("a.txt", {}, "Нұр-Сұлтан, BAQ.KZ тілшісі. Елордада диалог алаңы өтті.", "baq.kz"),
    ("a.txt", {}, "Алматы. Kazinform тілшісі хабарлайды.", "Kazinform"),
    ("a.txt", {}, "Бұл туралы Tengrinews.kz хабарлайды.", "tengrinews.kz"),
    ("a.txt", {}, "Біздің тілшісі ауылға барды.", ""),  # "our correspondent"
    ("a.txt", {}, "Астана. ҚазАқпарат тілшісі.", "ҚазАқпарат"),
    ("a.txt", {}, "Елордада үкіметтік емес ұйымдар жиналды.", ""),
    ("a.txt", {}, "x" * 500 + " BAQ.KZ тілшісі", ""),  # a byline far into the text: not one
]


@pytest.mark.parametrize("relpath, meta, text, expected", CASES)
def test_outlet_rules(relpath, meta, text, expected):
    assert outlet_of(relpath, meta, text) == expected


@pytest.mark.parametrize(
    "name, expected",
    [("BAQ.KZ", "baq.kz"), ("www.Egemen.kz", "egemen.kz"), ("Egemen  Qazaqstan", "Egemen Qazaqstan"), ("", "")],
)
def test_normalize(name, expected):
    assert normalize(name) == expected


def test_bundled_corpus_byline():
    arts = {a.id: a for a in read_corpus("corpus") if isinstance(a, Article)}
    assert arts["000_673e680e95f3e0a9.txt"].outlet == "baq.kz"
    assert arts["000_673e680e95f3e0a9.txt"].source == "000_673e680e95f3e0a9.txt"  # the file, for the manifest
    assert arts["001_07369e8b3fe96b32.txt"].outlet == ""
