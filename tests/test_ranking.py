"""Query building and ranking on small built indexes: the 15-passage KazQAD excerpt
(tests/fixtures/kazqad_mini.*) and hand-made documents for the exact/folded/Latin rules."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from searchkz import Index
from searchkz.bench.metrics import evaluate, read_qrels
from searchkz.bench.trec import read_topics, run_topics
from searchkz.bench.variants import rewrite
from searchkz.search import build_query, has_syntax, roman_numeral_forms

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "kazqad_mini.jsonl"


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Index:
    ix = Index(tmp_path_factory.mktemp("mini") / "index")
    ix.reindex(MINI, procs=1)
    return ix


def _write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def _built(folder: Path, docs: list[dict]) -> Index:
    """An index of ``docs`` (a JSONL corpus written beside it) in ``folder``."""
    ix = Index(folder / "index")
    # the documents share a filler (copies by their text, searchkz.dedup); these tests rank each one
    before = os.environ.get("SEARCHKZ_DEDUP")
    os.environ["SEARCHKZ_DEDUP"] = "0"
    try:
        ix.reindex(_write_jsonl(folder / "docs.jsonl", docs), procs=1)
    finally:
        if before is None:
            del os.environ["SEARCHKZ_DEDUP"]
        else:
            os.environ["SEARCHKZ_DEDUP"] = before
    return ix


FILLER = "Бұл мақалада басқа да мәліметтер бар, мысалы тарих, мәдениет, өнер және ғылым туралы."


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> Index:
    """Documents built to test one rule each (every text has the same filler, so lengths are alike)."""
    d = tmp_path_factory.mktemp("hand")
    docs = [
        {"id": "exact", "title": "", "text": f"Қоғамдық кеңес жиналды. {FILLER}"},
        {"id": "inflected", "title": "", "text": f"Қоғамдық кеңестердің жиналысы. {FILLER}"},
        {"id": "ot", "title": "", "text": f"Далада от жағылды. {FILLER}"},
        {"id": "öt", "title": "", "text": f"Адамның өт қабы. {FILLER}"},
        {"id": "english", "title": "Computer science", "text": f"Computer science is taught at the university. {FILLER}"},
        {
            "id": "latin-doc",
            "title": "Jaña mektep",
            "text": "Almaty qalasynda jaña mektep aşyldy. Oquşylar men mūğalımder saltanatty jiynğa jinaldy.",
        },
        {"id": "roman", "title": "", "text": f"XIX ғасырдың бірінші жартысында жазылған дастан. {FILLER}"},
        {"id": "mozart", "title": "Моцарт", "text": f"Моцарт Зальцбургте туған композитор. {FILLER}"},
    ]
    ix = _built(d, docs)
    return ix


def ids(hits) -> list[str]:
    return [h.id for h in hits]


# -- the KazQAD excerpt ----------------------------------------------------------


def test_mini_questions_find_their_passages(mini):
    queries = read_topics(FIXTURES / "kazqad_mini.queries.tsv")
    qrels = read_qrels(FIXTURES / "kazqad_mini.qrels.trec")
    scores = evaluate(run_topics(mini, queries, 100), qrels)
    assert scores.queries == 4
    assert scores.mrr10 >= 0.875  # 3 of 4 first, the other second
    assert scores.recall100 == 1.0


@pytest.mark.parametrize("kind", ["nokazakh", "latin", "lookalike"])
def test_mini_variants_rank_like_the_clean_questions(mini, kind):
    queries = read_topics(FIXTURES / "kazqad_mini.queries.tsv")
    clean = run_topics(mini, queries, 5)
    variant = run_topics(mini, rewrite(queries, kind), 5)
    for qid, _q in queries:
        # the same three passages on top (close scores may swap places)
        assert {d for d, _ in variant[qid][:3]} == {d for d, _ in clean[qid][:3]}, (kind, qid)


def test_question_words_do_not_change_the_ranking(mini):
    asked = ids(mini.search("Дулат ақынның әкесі кім?"))
    plain = ids(mini.search("Дулат ақынның әкесі"))
    assert asked[:3] == plain[:3]
    # the same question words typed without Kazakh letters are question words too
    assert ids(mini.search("Дулат акыннын акеси ким?"))[0] == asked[0]


def test_question_words_removed_from_the_plan():
    plan = build_query("Наурызым қорығына қандай сүтқоректілер кіреді?")
    assert [w.raw for w in plan.qwords] == ["Наурызым", "қорығына", "сүтқоректілер", "кіреді"]
    plan = build_query("Топырақ деп нені айтамыз?")
    assert [w.raw for w in plan.qwords] == ["Топырақ"]
    plan = build_query("КОКП XX съезінің тарихи маңызы неде?")
    assert "неде" not in [w.raw for w in plan.qwords]


def test_free_text_is_a_ranked_or(mini):
    # a word no passage has does not empty the result
    hits = mini.search("Дулат ақынның әкесі зззззз")
    assert hits and hits[0].id == "17940_1_1"


def test_quotes_inside_a_question_are_free_text():
    assert not has_syntax("«Қамар сұлу» романының авторы кім?")
    assert not has_syntax('М. Дулатовтың "Оян, қазақ!" өлең жинағы қай қалада басылған?')
    assert not has_syntax('Мұртты" обалар неше түріне бөлінді?')  # unbalanced
    assert has_syntax('"азаматтық қоғам"')
    assert has_syntax("кеңес AND Балаева")


# -- exact, stem and folded matches ----------------------------------------------


def test_exact_form_outranks_stem_only_match(hand):
    hits = ids(hand.search("кеңес"))
    assert hits[:2] == ["exact", "inflected"]
    hits = ids(hand.search("кеңестердің"))
    assert hits[:2] == ["inflected", "exact"]


def test_word_without_kazakh_letters_also_matches_folded_forms_below_exact(hand):
    hits = ids(hand.search("от"))
    assert hits[0] == "ot"
    assert "öt" in hits  # өт typed without ө
    assert hits.index("öt") > hits.index("ot")


def test_word_with_kazakh_letter_matches_as_typed(hand):
    hits = ids(hand.search("өт"))
    assert hits[0] == "öt"
    assert "ot" not in hits


def test_russian_keyboard_query_finds_kazakh_words(hand):
    assert ids(hand.search("когамдык кенес"))[0] == "exact"


def test_latin_query_and_latin_document(hand):
    assert ids(hand.search("qoğamdyq keñes"))[0] == "exact"
    assert ids(hand.search("Qoğamdyq Keñes"))[0] == "exact"
    # a Latin-script document was transliterated at index time: found in Cyrillic
    assert ids(hand.search("мектептер"))[0] == "latin-doc"
    assert ids(hand.search("мұғалімдер"))[0] == "latin-doc"


def test_english_words_keep_working(hand):
    assert ids(hand.search("computer"))[0] == "english"
    assert ids(hand.search("Computer science"))[0] == "english"


def test_lookalike_letters_in_queries_are_repaired(hand):
    # Latin a, o, e, c inside Cyrillic words
    assert ids(hand.search("қoғaмдық кеңec"))[0] == "exact"


def test_roman_numerals_in_either_script(hand):
    assert roman_numeral_forms("XІX") == ["XIX", "ХІХ"]
    assert roman_numeral_forms("С") == []
    assert roman_numeral_forms("Хан") == []
    assert ids(hand.search("ХІХ ғасыр дастан"))[0] == "roman"  # Cyrillic Х and І


def test_operators_still_work(hand):
    assert set(ids(hand.search("кеңес AND жиналды"))) == {"exact"}
    assert "exact" not in ids(hand.search("кеңес NOT жиналды"))
    assert ids(hand.search('"қоғамдық кеңес"'))


def test_fuzzy_on_stems(hand):
    assert "mozart" in ids(hand.search("Моцартт~"))


def test_did_you_mean(hand):
    res = hand.search("Моцартт")
    assert res.suggestion == "Моцарт"
    res = hand.search("кеңестердің")
    assert res.suggestion is None  # found: nothing to suggest
    assert hand.suggest("жиналыстардың жаңа") is None or isinstance(hand.suggest("жиналыстардың жаңа"), str)


def test_highlights_cover_respelled_words(hand):
    hit = hand.search("когамдык кенес")[0]
    marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert "қоғамдық" in marked and "кеңес" in marked


def test_date_filter_with_free_text(tmp_path):
    docs = [
        {"id": "old", "title": "", "date": "2018-05-01", "text": f"Қоғамдық кеңес. {FILLER}"},
        {"id": "new", "title": "", "date": "2021-05-01", "text": f"Қоғамдық кеңес. {FILLER}"},
    ]
    ix = _built(tmp_path, docs)
    assert ids(ix.search("кеңес", since="2020-01-01")) == ["new"]
    assert ids(ix.search("кеңес", until="2019-12-31")) == ["old"]


# -- pseudo-relevance feedback for the deep end of long lists ---------------------


def _ranker(ix):
    from searchkz.rank import ranker_for

    return ranker_for(ix._open())


def test_feedback_keeps_the_head_and_extends_the_tail(mini):
    from dataclasses import replace

    from searchkz.rank import PARAMS

    words = build_query("Дулат ақынның әкесі кім?").qwords
    rk = _ranker(mini)
    plain, _ = rk.rank(words, limit=None, params=replace(PARAMS, fb_terms=0))
    fb = replace(PARAMS, fb_keep=2, fb_docs=2, fb_max_df=1.0)
    from searchkz.feedback import feedback_words

    assert feedback_words(rk, words, plain, fb)  # the top passages give expansion stems
    deep, matches = rk.rank(words, limit=None, params=fb)
    assert deep[:2] == plain[:2]  # the head is the plain ranking, untouched
    assert {d for d, _ in plain} <= {d for d, _ in deep}  # nothing lost, maybe more found
    assert all(a[1] >= b[1] for a, b in zip(deep, deep[1:]))  # scores fall
    assert len(matches) == len(plain)  # (the query's own matches; feedback may rank more)


def test_feedback_only_runs_for_lists_deeper_than_its_head(mini, monkeypatch):
    from searchkz import feedback
    from searchkz.rank import PARAMS

    def boom(*a, **k):
        raise AssertionError("feedback ran for a short list")

    monkeypatch.setattr(feedback, "feedback_words", boom)
    words = build_query("Дулат ақынның әкесі кім?").qwords
    _ranker(mini).rank(words, limit=PARAMS.fb_keep)
    assert ids(mini.search("Дулат ақынның әкесі кім?", limit=PARAMS.fb_keep))


# -- hyphenated words: their parts are indexed at the word's position -----------------


def test_hyphen_parts_of_a_word():
    from searchkz.analysis import analyze_word, hyphen_parts

    def parts(w):
        return [p.stem for p in hyphen_parts(analyze_word(w))]

    assert parts("Жамиғат-тауарих") == ["жамиғат", "тауарих"]
    assert parts("1985-1991") == ["1985", "1991"]
    assert parts("Жамиғат\u2010тауарих") == ["жамиғат", "тауарих"]  # Unicode hyphen
    # a suffix after the hyphen only inflects the part before it: that part is the word's stem
    assert parts("КСР-і") == [] and analyze_word("КСР-і").stem == "кср"
    assert parts("БҰҰ-ның") == [] and analyze_word("БҰҰ-ның").stem == "БҰҰ"
    assert parts("жер-жерде") == ["жер"]  # each term once
    assert parts("қоғамдық") == []


def test_hyphen_parts_share_the_word_position():
    from searchkz.analysis import KazakhAnalyzer

    toks = [(t.text, t.pos) for t in KazakhAnalyzer("stem")("Жамиғат-тауарих еңбегі", positions=True, mode="index")]
    assert toks == [("жамиғат-тауарих", 0), ("жамиғат", 0), ("тауарих", 0), ("еңбек", 1)]
    # queries are not split by the analyzer (a phrase keeps its words in order)
    assert [t.text for t in KazakhAnalyzer("stem")("Жамиғат-тауарих еңбегі", positions=True, mode="query")] == [
        "жамиғат-тауарих",
        "еңбек",
    ]


@pytest.fixture(scope="module")
def hyph(tmp_path_factory) -> Index:
    d = tmp_path_factory.mktemp("hyph")
    docs = [
        {"id": "jt", "title": "Қадырғали Жалайыр", "text": f"Қадырғали «Жамиғат-тауарих» атты еңбек жазды. {FILLER}"},
        {"id": "ts", "title": "", "text": f"Тянь-Шань тауларының ең биік шыңы. {FILLER}"},
        {"id": "years", "title": "", "text": f"1985 жылы сәуірде пленум өтті, 1991 жылы КСРО ыдырады. {FILLER}"},
        {"id": "other", "title": "", "text": f"Тау шыңдары мен өзендер туралы мәлімет. {FILLER}"},
    ]
    ix = _built(d, docs)
    return ix


def test_hyphenated_and_spaced_spellings_meet(hyph):
    assert ids(hyph.search("Жамиғат - тауарих кімнің еңбегі?"))[0] == "jt"
    assert ids(hyph.search("тауарих"))[0] == "jt"
    assert ids(hyph.search("Тянь-Шаньның шыңы"))[0] == "ts"
    assert ids(hyph.search("1985-1991 жылдары"))[0] == "years"
    assert ids(hyph.search('"Жамиғат-тауарих"')) == ["jt"]  # the whole word is still indexed


def test_ranking_reads_each_posting_list_at_most_once(tmp_path):
    """A query reads its terms' posting lists once (highlighting and the title boost reread none)."""
    from searchkz.rank import PARAMS, ranker_for

    words = ["қоғам", "кеңес", "мектеп", "өзен", "тау", "жол", "қала", "ауыл"]
    docs = []
    for i in range(400):
        body = " ".join(words[(i * k) % len(words)] + ("дың" if k % 3 else "") for k in range(1, 40))
        docs.append({"id": f"d{i}", "title": f"{words[i % len(words)]} {i}", "text": f"{body}. {FILLER}"})
    ix = _built(tmp_path, docs)
    hits = ix.search("қоғамдың кеңесі мектеп", limit=10)
    assert len(hits) == 10
    searcher = ix._open()
    ranker = ranker_for(searcher)
    reader = searcher.reader()
    plan = build_query("қоғамдың кеңесі мектеп")
    bound = 0
    for w in plan.qwords:
        for stems, exacts, _w in ranker.readings(w, PARAMS):
            bound += sum(reader.doc_frequency(f, t) for t in stems for f in ("title", "body"))
            bound += sum(reader.doc_frequency("exact", t) for t in exacts)
            for e in exacts:
                bound += sum(reader.doc_frequency("exact", t) for t in ranker.expand_prefix("exact", e[:5]))
    assert 0 < ranker.postings_read <= bound
    before = ranker.postings_read
    again = ix.search("мектеп кеңесі қоғамдың", limit=10)
    assert 0 < ranker.postings_read - before <= bound  # the same words in another order: once again
    assert {h.id for h in again} == {h.id for h in hits}


@pytest.mark.parametrize(
    "since, until",
    [(2015, 2020), (None, 2012), (2019, None), (2016, 2016), (2030, None), (2010, 2030)],
)
def test_date_filter_reads_the_same_documents_as_whoosh(tmp_path_factory, since, until):
    """--since/--until are a mask over each document's day (the segments' arrays); the documents
    are those Whoosh's own range query allows (dates spread over 2010-2024, some with a time of day)."""
    from datetime import datetime

    from whoosh.query import DateRange

    import numpy as np

    from searchkz.api import _day
    from searchkz.rank import ranker_for

    d = tmp_path_factory.mktemp("dates")
    docs = [{"id": f"d{i}", "title": f"Жаңалық {i}", "date": f"{2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:30",
             "text": f"Қоғамдық кеңес {i} жиналды."} for i in range(240)]
    ix = _built(d, docs)
    searcher = ix._open()
    lo = datetime(since, 1, 1) if since else None
    hi = datetime(until, 12, 31, 23, 59, 59) if until else None
    filt = DateRange("date", lo, hi)
    want = set(searcher.docs_for_query(filt))
    mask = ranker_for(searcher).day_mask(_day(lo), _day(hi))
    assert set(np.flatnonzero(mask).tolist()) == want
    expected = sum(1 for x in docs if (since or 0) <= int(x["date"][:4]) <= (until or 9999))
    assert len(want) == expected
    hits = ix.search("кеңес", since=lo, until=hi, limit=5)
    assert hits.total == expected


def test_prefix_safety_net_reads_only_other_stems(tmp_path):
    """The 5-letter prefix evidence skips indexed words with the query word's stem (body counts
    them already) and still finds a document whose only match is another stem (кеңесші)."""
    from searchkz.rank import ranker_for

    docs = [
        {"id": "forms", "title": "", "text": f"Кеңес жиналды. Кеңестердің шешімі. {FILLER}"},
        {"id": "more", "title": "", "text": f"Кеңестер мен кеңесті талқылады. {FILLER}"},
        {"id": "adviser", "title": "", "text": f"Кеңесші сөз сөйледі. {FILLER}"},
        {"id": "none", "title": "", "text": f"Мектеп жаңа ғимаратқа көшті. {FILLER}"},
    ]
    ix = _built(tmp_path, docs)
    searcher = ix._open()
    ranker = ranker_for(searcher)
    read = []
    add = ranker._add
    ranker._add = lambda lists, acc, hit: (read.extend((f, t) for f, t, _x in lists), add(lists, acc, hit))[1]
    hits = ix.search("кеңестер", limit=10)
    assert {h.id for h in hits} == {"forms", "more", "adviser"}
    assert [h.id for h in hits][-1] == "adviser"  # another stem: the safety net ranks it last
    exact_read = {t for f, t in read if f == "exact"}
    assert "кеңесші" in exact_read  # another stem sharing the prefix
    assert exact_read.isdisjoint({"кеңес", "кеңестердің", "кеңесті"})  # the word's own stem: not read


TITLE_COVER = [  # (title, query, the title terms the query names over the title's counted length)
    # қоғамдық, кеңес, отырыс, өт (ҚК, the acronym indexed for the full name, is not a word of the
    # title's length; a typed full name searches an acronym with other meanings, as ҚК, only as typed)
    ("Қоғамдық кеңестің отырысы өтті", "қоғамдық кеңес", 2 / 4),
    ("Қоғамдық кеңестің отырысы өтті", "кеңестер", 1 / 4),
    ("Қоғамдық кеңестің отырысы өтті", "сайлау", 0.0),
    ("Дулат Бабатайұлы", "Дулат Бабатайұлы қай жылдары өмір сүрген", 1.0),
    # үкіметтік, ұйым, мемлекет (емес, мен: stop words); the full name searches ҮЕҰ too, which the
    # title has as a term: 3 named terms over 3 words, capped at 1 (the acronym counts its name twice)
    ("Үкіметтік емес ұйымдар мен мемлекет", "үкіметтік емес ұйымдардың", 1.0),
    ("Мектептегі оқушылар", "мектептер", 1 / 2),  # мектеп-: a shared beginning (the prefix net)
]


@pytest.mark.parametrize("title, query, share", TITLE_COVER)
def test_title_cover_counts_the_named_words(tmp_path, title, query, share):
    """The title boost's share of a title's words that the query names, counted from the title
    postings in the segment arrays (no title text is read)."""
    from searchkz.rank import PARAMS, ranker_for
    from searchkz.search import build_query
    from searchkz.titles import query_cover

    ix = _built(tmp_path, [{"id": "a", "title": title, "text": "Мәтін."},
                           {"id": "b", "title": "Басқа тақырып", "text": "Мәтін."}])
    searcher = ix._open()
    ranker = ranker_for(searcher)
    assert ranker.segments[0].arrays is not None
    docs = np.array([searcher.document_number(id="a")])
    got = query_cover(ranker, build_query(query).qwords, docs, PARAMS)
    assert got.tolist() == pytest.approx([share])


@pytest.mark.parametrize("update_arrays", [True, False], ids=["arrays", "whoosh-postings"])
def test_title_cover_in_an_update_segment(tmp_path, update_arrays):
    """An incremental update's segment gives the same shares, from its arrays and from its
    Whoosh postings (as a segment without arrays, an older index's update, is read)."""
    from searchkz.postings import segments_of
    from searchkz.rank import PARAMS, Ranker
    from searchkz.search import build_query
    from searchkz.titles import query_cover

    docs = [{"id": "b", "title": "Басқа тақырып", "text": "Мәтін."}]
    ix = _built(tmp_path, docs)
    ix = _built(tmp_path, docs + [{"id": f"t{i}", "title": title, "text": "Мәтін."}
                                  for i, (title, _q, _s) in enumerate(TITLE_COVER)])
    ix._open()
    searcher = ix._ix.searcher()  # (a searcher of its own: its segments read afresh)
    if not update_arrays:
        segments_of(searcher.reader())[1].arrays = None
    ranker = Ranker(searcher)
    assert len(ranker.segments) == 2 and (ranker.segments[1].arrays is None) != update_arrays
    for i, (_title, query, share) in enumerate(TITLE_COVER):
        d = np.array([searcher.document_number(id=f"t{i}")])
        assert d[0] >= ranker.segments[1].offset
        assert query_cover(ranker, build_query(query).qwords, d, PARAMS).tolist() == pytest.approx([share]), query


def test_has_prefix_looks_in_every_segment(tmp_path):
    """The respelling walk's prefix test, segment by segment: a prefix is known when any
    segment has a term beginning with it (words only in the second segment included)."""
    from searchkz.rank import Ranker

    first = [{"id": f"a{i}", "title": "", "text": f"Қоғамдық кеңес {i} отырысы өтті."} for i in range(5)]
    path = _write_jsonl(tmp_path / "c.jsonl", first)
    ix = Index(tmp_path / "index")
    ix.reindex(path, procs=1)
    second = [{"id": "b1", "title": "", "text": "Өзен жағасында мектеп салынды."}]
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in first + second), encoding="utf-8")
    ix.reindex(path, procs=1)
    searcher = ix._open()
    reader = searcher.reader()
    assert len(list(reader.leaf_readers())) >= 2
    ranker = Ranker(searcher)
    lexicon = [t.decode("utf-8") for t in reader.lexicon("exact")]
    for prefix in ["қ", "қоғ", "қоғамдық", "қоғамдықт", "ө", "өзен", "мект", "мектеп", "мектепт", "с", "ж", "ә", "x", ""]:
        assert ranker.has_prefix("exact", prefix) == any(t.startswith(prefix) for t in lexicon), prefix
    # every prefix of every term and its neighbours (a fresh ranker: nothing cached)
    ranker = Ranker(searcher)
    probes = {t[:i] + c for t in lexicon for i in range(len(t) + 1) for c in ("", "а", "я", "ө")}
    for prefix in sorted(probes, key=lambda x: (len(x), x[::-1])):
        assert ranker.has_prefix("exact", prefix) == any(t.startswith(prefix) for t in lexicon), prefix


@pytest.mark.parametrize(
    "fieldname, term, live",
    [
        ("exact", "мектеп", True),  # in live documents of both segments
        ("exact", "кітапхана", True),  # in one live document, with another deleted
        ("exact", "зауыт", False),  # only in deleted documents
        ("body", "зауыт", False),
        ("exact", "өзен", True),  # only in the appended segment
        ("exact", "теңіз", False),  # nowhere
    ],
)
def test_has_term_with_deletions(tmp_path_factory, fieldname, term, live):
    """A term counts only if a live document has it (the respelling walk's test), decided
    from document counts where they settle it, else from the list."""
    from searchkz.rank import Ranker

    d = tmp_path_factory.mktemp("deleted")
    docs = [{"id": f"a{i}", "title": "", "text": f"Мектеп {i} ашылды."} for i in range(6)]
    docs += [{"id": "z1", "title": "", "text": "Зауыт салынды."}, {"id": "z2", "title": "", "text": "Зауыт жабылды."},
             {"id": "k1", "title": "", "text": "Кітапхана ашылды."}, {"id": "k2", "title": "", "text": "Кітапхана жабылды."}]
    ix = _built(d, docs)
    kept = [x for x in docs if x["id"] not in ("z1", "z2", "k2")]
    kept.append({"id": "b1", "title": "", "text": "Өзен жағасында мектеп салынды."})
    ix.reindex(_write_jsonl(d / "docs.jsonl", kept), procs=1)  # incremental: 3 deleted, 1 segment more
    searcher = ix._open()
    assert searcher.reader().has_deletions()
    assert Ranker(searcher).has_term(fieldname, term) is live
    assert (len(Ranker(searcher).plist(fieldname, term)[0]) > 0) is live
