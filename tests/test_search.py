"""End to end through the Python API on the five real seed articles."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from searchkz import Index, QueryError

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"
S000 = "000_673e680e95f3e0a9.txt"
S001 = "001_07369e8b3fe96b32.txt"
S002 = "002_ad8a2653cb24e9f8.txt"
S003 = "003_ef5e74323f016fa6.txt"
S004 = "004_46335ba148919712.txt"


@pytest.fixture(scope="module")
def ix(tmp_path_factory) -> Index:
    path = tmp_path_factory.mktemp("seedindex") / "index"
    index = Index(path)
    stats = index.reindex(SEED_DIR, procs=1)
    assert stats.added == 5 and stats.documents == 5 and stats.full
    return index


def ids(hits) -> list[str]:
    return [h.id for h in hits]


def test_headline_query_ranks_003_first(ix):
    hits = ix.search("қоғамдық кеңес")
    assert hits[0].id == S003
    # the other documents that mention only inflected forms are found too
    assert {S001, S002} <= set(ids(hits))


@pytest.mark.parametrize(
    "query, expected",
    [
        # ұйым never appears bare in 000-002: only ұйымдардың, ұйымдар, ұйымдарды …
        ("ұйым", {S000, S001, S002, S004}),
        # кеңес: 001 has only "кеңестердің", 002 only "кеңестер"
        ("кеңес", {S001, S002, S003}),
        ("кеңестердің", {S001, S002, S003}),
        ("қоғамдарымыз", {S000, S001, S002, S003, S004}),
    ],
)
def test_one_inflection_finds_the_others(ix, query, expected):
    found = set(ids(ix.search(query, limit=10)))
    assert expected <= found


def test_kenes_docs_contain_only_inflected_forms(seed_dir):
    # guard the premise of the test above on the real files
    for name in (S001, S002):
        text = (seed_dir / name).read_text(encoding="utf-8")
        assert re.search(r"(?<!\w)кеңес(?!\w)", text, re.IGNORECASE) is None
        assert re.search(r"кеңестер", text)


def test_highlights_are_original_substrings(ix, seed_dir):
    for query in ("ұйым", "қоғамдық кеңес", "азаматтық сектор"):
        for hit in ix.search(query):
            assert hit.highlights, (query, hit.id)
            original = ix.get(hit.id).text
            for s, e in hit.highlights:
                piece = hit.snippet[s:e]
                assert piece and piece in original
                assert re.fullmatch(r"[\w-]+", piece)


def test_inflected_forms_are_highlighted(ix):
    hit = next(h for h in ix.search("ұйым") if h.id == S000)
    marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert marked & {"ұйымдардың", "ұйымдар", "ұйымдармен"}
    assert all(m.startswith("ұйым") for m in marked)


def test_partial_matches_rank_below_full_matches(ix):
    hits = ix.search("қоғамдық кеңес Балаева")
    assert hits[0].id == S003  # the only one with all three words
    assert len(hits) >= 4  # documents with some of the words are still returned


def test_question_words_do_not_drive_ranking(ix):
    plain = ids(ix.search("үкіметтік емес ұйымдар"))
    asked = ids(ix.search("Үкіметтік емес ұйымдар деген не?"))
    assert plain[:3] == asked[:3]


@pytest.mark.parametrize("query", ["кеңес NOT ұйым", "кеңес AND NOT ұйым", "кеңес ANDNOT ұйым", "кеңес -ұйым",
                                   "(кеңес OR қоғам) ANDNOT ұйым", "кеңес AND -ұйым"])
def test_every_way_of_saying_not_leaves_out_the_same_articles(ix, query):
    """Whoosh's AndNot matcher kept its first candidate unchecked when the excluded list began at
    an earlier document: ``кеңес ANDNOT ұйым`` kept an article with both words."""
    got = set(ids(ix.search(query, limit=10)))
    assert got and not got & set(ids(ix.search("ұйым", limit=10)))


def test_operators(ix):
    assert set(ids(ix.search("кеңес AND Балаева"))) == {S003}
    assert S003 not in ids(ix.search("ұйым NOT Балаева"))
    assert S003 in ids(ix.search("ұйым OR Балаева"))
    phrase = ids(ix.search('"азаматтық қоғам"'))
    assert S002 in phrase and S003 in phrase
    assert ids(ix.search("title:ұйым"))[0] in {S000, S004}


@pytest.mark.parametrize("query, minus", [
    ("қоғам -кеңес", "кеңес"),  # any form of the word: кеңестер, кеңесінің …
    ("қоғам -кеңестердің", "кеңес"),  # typed inflected: its stem
    ("қоғам -кенес", "кеңес"),  # typed without Kazakh letters
    ("qoğam -keñes", "кеңес"),  # Kazakh Latin
    ("кеңес -Балаева", "балаев"),
    ("қоғамдық кеңес -(Балаева)", "балаев"),
])
def test_a_minus_leaves_out_the_articles_with_the_word(ix, query, minus):
    """``-word`` (as web search engines read it) leaves out every article with the word in any form
    it would be searched by; the other words rank as without it.  It was searched as one more word,
    so the articles with it came first."""
    plus = query.split(" -")[0]
    got = ix.search(query, limit=10)
    without = [h for h in ix.search(plus, limit=10) if minus not in (h.title + " " + ix.get(h.id).text).lower()]
    assert ids(got) == ids(without) and 0 < len(got) < len(ix.search(plus, limit=10))
    assert got.total == len(got)
    assert ix.facets(query, by="year").total == len(got)


def test_a_minus_in_a_syntax_query_is_not():
    from searchkz.search import build_query

    for query, same in [("кеңес AND -Балаева", "кеңес AND NOT Балаева"), ('-"қоғамдық кеңес" ұйым', 'NOT "қоғамдық кеңес" ұйым'),
                        ("title:ұйым -title:кеңес", "title:ұйым NOT title:кеңес")]:
        assert repr(build_query(query).query) == repr(build_query(same).query), query


@pytest.mark.parametrize("query", ["Нұр-Сұлтан", "ҮЕҰ-лардың", "COVID-19-ға", "температура -5", "қоғам - кеңес",
                                   "қоғам-кеңес"])
def test_a_hyphen_is_no_minus(query):
    """Only a minus at the start of a word before a letter excludes: a hyphen inside a word, a
    number's sign or a dash between words do not."""
    from searchkz.search import build_query

    assert build_query(query).excluded == []


@pytest.mark.parametrize("query, marked", [
    ("қоғам NOT кеңес", ["Қоғамның"]),
    ("қоғам AND -кеңес", ["Қоғамның"]),
    ("қоғам -кеңес", ["Қоғамның"]),
    ("кеңес NOT (қоғам OR ұйым)", ["кеңесі"]),
    ("ұйым -title:кеңес", ["ұйымдар"]),
    ("когам AND NOT ұйым", ["Қоғамның", "когам"]),
    ("қоғам кеңес", ["Қоғамның", "кеңесі"]),
])
def test_a_negated_word_is_not_highlighted(ix, query, marked):
    """Only the words a hit was found for are marked: a word after NOT or a minus was (its terms were
    collected while the query was parsed, before the NOT was known)."""
    text = "Қоғамның кеңесі және ұйымдар, когам"
    assert [text[a:b] for a, b in ix.highlight(text, query)] == marked


def test_a_query_that_only_excludes_is_an_error(ix):
    with pytest.raises(QueryError, match="no words to search for"):
        ix.search("-кеңес -ұйым")


def test_stop_words_leave_a_syntax_query(ix):
    """Stop words are not indexed: in a syntax query they leave it, as in a phrase (and as Whoosh's
    own parser drops them), instead of standing for a term no article has: "кеңес AND және" found
    nothing though every article with кеңес has және too."""
    assert set(ids(ix.search("кеңес AND және", limit=10))) == set(ids(ix.search("кеңес", limit=10))) != set()
    assert ids(ix.search("title:(ұйым AND мен)")) == ids(ix.search("title:ұйым"))
    with pytest.raises(QueryError, match="no words to search for"):
        ix.search("title:және")


@pytest.mark.parametrize("query", ["және мен", "Және", "jäne"])
def test_a_query_of_only_stop_words_says_so(ix, query):
    """Only stop words, which no index holds: an error that says so, not "0 hits" as if the
    archive had none."""
    with pytest.raises(QueryError, match="only stop words"):
        ix.search(query)


def test_phrase_with_stop_word_inside(ix):
    # "Қазақстан халқы Ассамблеясының" vs a phrase that skips nothing
    assert ids(ix.search('"Қазақстан халқы Ассамблеясы"')) == [S001]


def _words_in_a_row(text: str, spans) -> list[tuple[str, ...]]:
    """The highlighted words, grouped where only spaces, commas or one word stand between."""
    runs, last = [], None
    for s, e in spans:
        if last is not None and re.fullmatch(r"[\s,]*(?:\w+[\s,]+)?", text[last:s]):
            runs[-1] += (text[s:e].lower(),)
        else:
            runs.append((text[s:e].lower(),))
        last = e
    return runs


@pytest.mark.parametrize("query, runs", [
    ('"азаматтық қоғам"', {("азаматтық", "қоғам"), ("азаматтық", "қоғамның")}),
    ('"қазақстан республикасы"', {("қазақстан", "республикасы"), ("қазақстан", "республикасының")}),
    ('"Қазақстан халқы Ассамблеясы"', {("қазақстан", "халқы", "ассамблеясының")}),
])
def test_a_phrase_is_highlighted_where_it_stands_not_its_words_alone(ix, query, runs):
    hits = ix.search(query)
    assert hits
    for h in hits:
        got = _words_in_a_row(h.snippet, h.highlights)
        assert got and set(got) <= runs, (h.id, got)
        assert not h.title_highlights or set(_words_in_a_row(h.title, h.title_highlights)) <= runs


def test_a_phrase_word_also_asked_alone_is_highlighted_alone(ix):
    hits = ix.search('"азаматтық қоғам" OR қоғам')
    alone = [run for h in hits for run in _words_in_a_row(h.snippet, h.highlights) if len(run) == 1]
    assert alone and {w for (w,) in alone} <= {"қоғам", "қоғамның", "қоғамдық", "қоғамға", "қоғамды", "қоғамдағы"}


def test_date_filters(ix):
    assert set(ids(ix.search("ұйым", since="2019-01-01"))) == {S000, S001} & set(ids(ix.search("ұйым")))
    assert ids(ix.search("ұйым", until="2018-12-31")) == [S002]
    assert ids(ix.search("ұйым", since=datetime(2030, 1, 1))) == []
    with pytest.raises(QueryError):
        ix.search("ұйым", since="not a date")


def test_hit_fields(ix):
    hit = ix.search("диалог алаңы")[0]
    assert hit.id == S000
    assert hit.title.startswith("Билік өкілдері мен мемлекеттік емес ұйымдардың")
    assert hit.date == datetime(2019, 10, 10, 20, 47)
    assert hit.score > 0 and hit.rank == 1
    assert len(hit.snippet) < 400


def test_get_returns_whole_article(ix):
    doc = ix.get(S004)
    assert doc.title == "ҮКІМЕТТІК ЕМЕС ҰЙЫМ ЖЕТЕКШІЛЕРІ БАС ҚОСТЫ"
    assert "Шымкент қаласында" in doc.text
    assert ix.get("no-such-id") is None


@pytest.mark.parametrize("bad", ["", "   ", "AND", '"', "(((", "date:[xx to yy]", "x" * 5000, "..."])
def test_bad_queries_raise_query_error_only(ix, bad):
    try:
        ix.search(bad)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_folded_and_latin_queries(ix):
    assert ids(ix.search("когамдык кенес"))[0] == S003
    assert ids(ix.search("qoğamdyq keñes"))[0] == S003
    # the Latin schwa in 002's "жəне" is repaired: the word is found by its Cyrillic spelling
    assert S002 in ids(ix.search('"ҮЕҰ және бизнес"'))


@pytest.mark.parametrize(
    "typed, kazakh",
    [
        ("когам AND кенес", "қоғам AND кеңес"),  # Russian keyboard
        ('"когамдык кенес"', '"қоғамдық кеңес"'),  # a phrase
        ("title:кенес", "title:кеңес"),  # a field
        ("folded:кенестердин AND Балаева", "кеңестердің AND Балаева"),  # the field of index version 2
        ("ұйым NOT когамдык", "ұйым NOT қоғамдық"),  # a negated word
        ("qoğamdyq AND keñes", "қоғамдық AND кеңес"),  # 2021 Latin
        ('"qoğamdyq keñes"', '"қоғамдық кеңес"'),
    ],
)
def test_syntax_query_without_kazakh_letters_finds_what_the_kazakh_one_finds(ix, typed, kazakh):
    # the index has no folded field: such words are respelled against the indexed vocabulary
    found, want = ids(ix.search(typed)), ids(ix.search(kazakh))
    assert want and set(found) == set(want)
    assert found[0] == want[0]


def test_syntax_query_without_kazakh_letters_highlights_the_kazakh_spelling(ix):
    hit = ix.search("когамдык AND кенес")[0]
    assert hit.id == S003
    marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert "қоғамдық" in marked and any(m.startswith("кеңес") for m in marked)


@pytest.mark.parametrize(
    "since, until, expected",
    [
        # dates are indexed by day: a bound inside a day keeps that whole day (000 is at 20:47)
        ("2019-10-10", None, {S000, S001}),
        ("2019-10-10 21:00", None, {S000, S001}),
        ("2019-10-11", None, {S001}),
        (None, "2019-10-10", {S000, S002}),
        (None, "2019-10-09 23:00", {S002}),
        ("2019-10", "2019-10", {S000}),
        ("2018-10-16", "2019-11-27", {S000, S001, S002}),
    ],
)
def test_date_filters_by_day(ix, since, until, expected):
    assert set(ids(ix.search("ұйым OR кеңес", since=since, until=until, limit=10))) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("date:20191010", {S000}),
        ('date:"2019-10-10 20:47"', {S000}),
        ("date:201910", {S000}),
        ("date:[20181016 to 20191010]", {S000, S002}),
        ("date:[2019 to 2020]", {S000, S001}),
        ("date:2018 OR date:20191127", {S001, S002}),
    ],
)
def test_date_syntax_by_day(ix, query, expected):
    assert set(ids(ix.search(query, limit=10))) == expected


def test_stored_date_keeps_its_time(ix):
    # the day is indexed, the date and time the article gave are stored and shown
    assert [ix.get(i).date for i in (S000, S001, S002)] == [
        datetime(2019, 10, 10, 20, 47), datetime(2019, 11, 27, 10, 3), datetime(2018, 10, 16, 0, 44)]
    hit = ix.search("date:20181016")[0]
    assert (hit.id, hit.date) == (S002, datetime(2018, 10, 16, 0, 44))


def test_since_until_reject_reversed(ix):
    with pytest.raises(QueryError):
        ix.search("ұйым", since="2020-01-01", until="2019-01-01")


def test_limit(ix):
    assert len(ix.search("ұйым", limit=2)) == 2
    with pytest.raises(QueryError):
        ix.search("ұйым", limit=0)


def test_index_path_is_a_path(ix):
    assert isinstance(ix.path, Path)


@pytest.mark.parametrize("stems, exact, folded", [
    ({"тіл"}, set(), {"когам"}),  # typed without Kazakh letters: когамдык кенестер
    ({"тіл"}, set(), {"кенес", "когам"}),
    ({"тіл"}, set(), {"ол"}),
    ({"тіл"}, set(), {"халык", "мемлекет"}),
    ({"тіл"}, set(), {"ж"}),
    ({"қоғам", "кеңес"}, {"қоғамдық"}, set()),
    ({"ол", "ел", "жыл"}, set(), set()),  # short stems, an irregular lemma (оның, оған)
    ({"халық", "мемлекет", "ақш"}, {"үкіметтік"}, set()),  # a dropped vowel, an acronym
    ({"президент", "россия"}, set(), {"президент"}),
])
def test_snippet_words_not_stemmed_are_those_the_full_check_rejects(stems, exact, folded):
    """match_spans without stemming the words that cannot match (analysis.may_match) gives the
    same spans as stemming every candidate."""
    from pathlib import Path

    from searchkz import analysis
    from searchkz.search import QueryPlan, match_spans

    texts = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))]

    def plan():
        return QueryPlan(None, stems=set(stems), exact=set(exact), folded=set(folded))
    analysis._folded_stems.clear()  # (cold: the check is for words not stemmed yet)
    fast = [match_spans(t, plan()) for t in texts]
    analysis._folded_stems.clear()
    slow_plan = plan()
    slow_plan.heads = slow_plan.folded_heads = ("",)  # every word stemmed
    slow = [match_spans(t, slow_plan) for t in texts]
    assert fast == slow
    assert any(spans for spans in slow) or folded == {"ж"}


def test_snippets_the_same_with_every_candidate_stemmed(ix, monkeypatch):
    """Searches' snippets and highlights do not change when may_match lets every word through."""
    from searchkz import analysis

    queries = ["қоғамдық кеңес", "когамдык кенес", "ҮЕҰ", "үкіметтік емес ұйымдар", "халқы", "Нұр-Сұлтан",
               "qoğam", "жəне мемлекет", "оның елі", "президент"]

    def shown():
        return [(h.id, h.snippet, h.highlights, h.title_highlights) for q in queries for h in ix.search(q)]

    fast = shown()
    monkeypatch.setattr(analysis, "may_match", lambda *args: True)
    assert shown() == fast
    assert sum(len(h[2]) for h in fast) > 50


@pytest.mark.parametrize("piece, spans, want", [
    ("қоғамдық кеңес", [(0, 8), (9, 14)], ("қоғамдық кеңес", [(0, 8), (9, 14)])),  # single spaces: as is
    ("  қоғамдық кеңес ", [(2, 10)], ("қоғамдық кеңес", [(0, 8)])),  # stripped: spans move back
    ("қоғамдық\n\n  кеңес", [(0, 8), (12, 17)], ("қоғамдық кеңес", [(0, 8), (9, 14)])),  # a run: one space
    ("ҮЕҰ\xa0мен\tкеңес", [(0, 3), (8, 13)], ("ҮЕҰ мен кеңес", [(0, 3), (8, 13)])),  # other white space
    ("  ", [(0, 1)], ("", [])),  # a span on white space only: gone
])
def test_snippet_whitespace_collapsed_with_the_highlights(piece, spans, want):
    from searchkz.search import _collapse_ws

    got = _collapse_ws(piece, spans)
    assert got == want
    assert [got[0][a:b] for a, b in got[1]] == [piece[a:b].strip() for a, b in spans if piece[a:b].strip()]


def test_a_page_past_the_end_says_so(ix):
    """A page past the last result is empty with the total, and a notice says why (it printed
    "0 of 5 hits" as if nothing matched)."""
    res = ix.search("қоғам", offset=980, limit=10)
    assert len(res) == 0 and res.total == 5
    assert res.notices == ["page 99 (offset 980) is past the last of the 5 results"]
    assert ix.search("қоғам", offset=4, limit=10).notices == []


@pytest.mark.parametrize("typed, kazakh", [("ког*", "қоғ*"), ("title:ког*", "title:қоғ*"), ("кенес* AND ұйым", "кеңес* AND ұйым"),
                                           ("уйым* NOT кенес*", "ұйым* NOT кеңес*")])
def test_a_pattern_typed_without_kazakh_letters(ix, typed, kazakh):
    """A prefix pattern typed on a Russian keyboard finds what it would with the Kazakh letters
    (``ког*`` found nothing: no indexed word begins with ког), as plain words and phrases do."""
    want = set(ids(ix.search(kazakh, limit=10)))
    assert want and set(ids(ix.search(typed, limit=10))) == want


@pytest.mark.parametrize("query, marked", [("ұйым NOT когам", ["ұйымдар"]), ("ұйым NOT \"когамнын кенеси\"", ["ұйымдар"]),
                                           ("когам AND ұйым", ["Қоғамның", "ұйымдар"])])
def test_a_negated_respelled_word_is_not_highlighted(ix, query, marked):
    text = "Қоғамның кеңесі және ұйымдар"
    assert [text[a:b] for a, b in ix.highlight(text, query)] == marked


@pytest.mark.parametrize("query, same", [
    ('"қоғамдық -кеңес"', '"қоғамдық кеңес"'),  # a minus in a phrase is punctuation, not NOT inside it
    ("ұйым title:-кеңес", "ұйым NOT title:кеңес"),  # after a field's name
    ("ұйым AND -«Балаева»", "ұйым AND NOT Балаева"),  # before Kazakh quotes
    ("ұйым AND -*аев*", "ұйым AND NOT *аев*"),  # before a pattern
])
def test_a_minus_in_a_syntax_query_where_it_was_missed(ix, query, same):
    """A minus was read as NOT only after a space or bracket and before a letter, ( or ": inside a
    phrase it became the word 'not' (found nothing); after ``title:``, before « or * it was dropped
    and the word searched for (``ұйым AND -«Балаева»`` found the articles with Балаева)."""
    from searchkz.search import build_query

    assert repr(build_query(query).query) == repr(build_query(same).query)
    assert ids(ix.search(query, limit=10)) == ids(ix.search(same, limit=10)) != []


def test_a_minus_before_a_bracket_or_a_quotation_in_free_text(ix):
    """``-(a b)`` leaves out the articles with either word, ``-"a b"`` (``-«a b»``) those with both;
    neither word is searched for.  The minus took the first word only and the rest were ranked as
    wanted: ``кеңес -(Балаева ұйым)`` ranked the articles with ұйым."""
    from searchkz.search import build_query

    def has(doc_id, stem):
        return stem in (ix.get(doc_id).title + " " + ix.get(doc_id).text).lower()

    plan = build_query("кеңес -(Балаева ұйым)")
    assert [w.raw for w in plan.qwords] == ["кеңес"] and [[w.raw for w in g] for g in plan.excluded] == [["Балаева"], ["ұйым"]]
    assert ids(ix.search("кеңес -(Балаева ұйым)")) == [h.id for h in ix.search("кеңес")
                                                       if not has(h.id, "балаев") and not has(h.id, "ұйым")]
    for quote in ('"қоғамдық кеңес"', "«қоғамдық кеңес»"):
        query = f"ұйым азаматтық сектор -{quote}"
        plan = build_query(query)
        assert [w.raw for w in plan.qwords] == ["ұйым", "азаматтық", "сектор"], query
        want = [h.id for h in ix.search("ұйым азаматтық сектор") if not (has(h.id, "қоғамдық") and has(h.id, "кеңес"))]
        assert 0 < len(want) < 5 and ids(ix.search(query)) == want


def test_not_leaves_out_the_first_article_too(ix):
    """Whoosh's AND NOT matcher did not check its first candidate when the excluded word's list began
    at an earlier article: ``кеңес NOT ұйым`` (and ``ұйым -кеңес`` with other syntax) kept an
    article with both words."""
    want = ids(ix.search("кеңес AND NOT ұйым", limit=10))
    assert want == [S003]
    for query in ("кеңес NOT ұйым", 'кеңес -ұйым "қоғамдық кеңес"'):
        assert ids(ix.search(query, limit=10)) == want, query


def test_a_respelled_pattern_is_capped_as_one(ix, monkeypatch):
    """``ту*`` (no indexed word begins with ту) stands for тұ* and тү*: at most MAX_EXPANSIONS terms in
    all, with one notice that names what was typed, not up to that many for each spelling."""
    from searchkz import bounds

    monkeypatch.setattr(bounds, "MAX_EXPANSIONS", 5)
    res = ix.search("ту*", limit=10)
    assert res.notices == ["body:ту* matches 14 terms: searched the 5 in the most documents "
                           "(at most 5 a wildcard, prefix, fuzzy or range term)"]
    assert ix.facets("ту*", by="year").notices == res.notices
