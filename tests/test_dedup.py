"""Copies of an article (the same story reprinted) on real seed text: detection, groups kept
right by incremental reindex, collapsed in search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from searchkz import Index, dedup
from searchkz.corpus import Article, read_corpus

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"
A000 = "000_673e680e95f3e0a9.txt"
A001 = "001_07369e8b3fe96b32.txt"
A002 = "002_ad8a2653cb24e9f8.txt"


def seed() -> dict[str, Article]:
    return {a.id: a for a in read_corpus(SEED_DIR) if isinstance(a, Article)}


def paragraphs(art: Article) -> list[str]:
    return [p for p in art.body.split("\n") if p.strip()]


def typos(text: str, every: int = 40) -> str:
    """Swap two letters of every ``every``-th long word."""
    words = text.split(" ")
    for i in range(0, len(words), every):
        w = words[i]
        if len(w) > 4:
            words[i] = w[0] + w[2] + w[1] + w[3:]
    return " ".join(words)


def reprints(art: Article) -> dict[str, tuple[str, str]]:
    """Copies of ``art`` as other outlets print them: ``{name: (title, text)}``."""
    paras = paragraphs(art)
    return {
        "retitled-dropped": ("Жаңалық: " + art.title.lower(), "\n\n".join(paras[:1] + paras[2:])),
        "boilerplate-added": (
            art.title,
            "\n\n".join(["Астана, Kazinform тілшісі."] + paras + ["Тағы бір мәлімет: кездесу жалғасады деп күтілуде.",
                                                                "Материалды көшіріп басқанда сілтеме міндетті."]),
        ),
        "typos": (art.title, typos("\n\n".join(paras))),
    }


CASES = ["retitled-dropped", "boilerplate-added", "typos"]


@pytest.mark.parametrize("case", CASES)
def test_a_reprint_is_a_copy(case):
    for art in seed().values():
        _title, text = reprints(art)[case]
        assert dedup.estimated_similarity(dedup.signature(art.body), dedup.signature(text)) >= dedup.THRESHOLD, art.id


def test_articles_on_the_same_topic_are_not_copies():
    """The five seed articles all report on civil society and NGOs: none is a copy of another."""
    arts = list(seed().values())
    assert dedup.group_ids([a.id for a in arts], [dedup.signature(a.body) for a in arts]) == []


def test_a_follow_up_quoting_one_paragraph_is_not_a_copy():
    arts = seed()
    story, other = arts[A000], arts[A002]
    follow_up = "\n\n".join(paragraphs(other) + paragraphs(story)[2:3])
    assert dedup.estimated_similarity(dedup.signature(story.body), dedup.signature(follow_up)) < dedup.THRESHOLD


def test_signature_is_stable_and_empty_text_is_never_a_copy():
    text = seed()[A001].body
    assert dedup.signature(text) == dedup.signature(text)
    assert len(dedup.signature(text)) == 2 * dedup.NUM_PERM
    assert dedup.group_ids(["a", "b"], [dedup.signature(""), dedup.signature("  ")]) == []


def _write(folder: Path, name: str, title: str, text: str) -> None:
    (folder / name).write_text(f"{title}\n\n{text}\n", encoding="utf-8")


@pytest.fixture()
def reprinted(tmp_path) -> tuple[Path, Index]:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, corpus)
    arts = seed()
    for name, (title, text) in reprints(arts[A000]).items():
        _write(corpus, f"copy-{name}.txt", title, text)
    ix = Index(tmp_path / "index")
    ix.reindex(corpus, procs=1)
    return corpus, ix


COPIES = sorted([A000] + [f"copy-{n}.txt" for n in CASES])


def groups(ix: Index) -> list[list[str]]:
    ix._open()  # the live generation
    return dedup.load_groups(ix._gen)


def test_full_reindex_groups_the_reprints(reprinted):
    _corpus, ix = reprinted
    assert groups(ix) == [COPIES]
    assert ix.get(A000).copies == COPIES[1:]
    assert ix.get(A001).copies == []


def test_search_collapses_copies_and_lists_them(reprinted):
    _corpus, ix = reprinted
    res = ix.search("диалог алаңы", limit=10)
    ids = [h.id for h in res]
    assert sum(i in COPIES for i in ids) == 1  # one article of the group
    hit = next(h for h in res if h.id in COPIES)
    assert sorted(hit.copies + [hit.id]) == COPIES and hit.group == COPIES[0]
    assert hit.to_dict()["copies"] == hit.copies and hit.to_dict()["group"] == COPIES[0]
    every = ix.search("диалог алаңы", limit=10, collapse=False)
    assert set(COPIES) <= {h.id for h in every}
    assert res.total == every.total  # the total counts every matching article
    assert res.groups == every.total - (len(COPIES) - 1) and every.groups == every.total


@pytest.mark.parametrize("sort", ["relevance", "-date"])
@pytest.mark.parametrize("query", ["диалог алаңы", "диалог OR алаңы", "азаматтық қоғам"])
def test_groups_count_the_results_the_pages_hold(reprinted, sort, query):
    """groups is the number of hits all pages give together, each group of copies once (free text
    and a syntax query, in relevance and date order)."""
    _corpus, ix = reprinted
    first = ix.search(query, limit=2, sort=sort, snippets=False)
    shown = [h.id for page in range(0, first.groups + 4, 2)
             for h in ix.search(query, limit=2, offset=page, sort=sort, snippets=False)]
    assert len(shown) == len(set(shown)) == first.groups < first.total
    assert sum(i in COPIES for i in shown) == 1


def test_date_order_collapses_too(reprinted):
    _corpus, ix = reprinted
    res = ix.search("диалог алаңы", limit=10, sort="-date")
    assert sum(h.id in COPIES for h in res) == 1


def test_incremental_reindex_keeps_groups_right(reprinted):
    corpus, ix = reprinted
    art = seed()[A000]
    # a copy added
    _write(corpus, "copy-late.txt", art.title, "\n\n".join(paragraphs(art)[1:]))
    stats = ix.reindex(corpus)
    assert not stats.full and stats.added == 1
    assert groups(ix) == [sorted(COPIES + ["copy-late.txt"])]
    # a copy changed into another story
    other = seed()[A001]
    _write(corpus, "copy-typos.txt", other.title + " (жалғасы)", "\n\n".join(paragraphs(other)[:3]))
    ix.reindex(corpus)
    got = groups(ix)
    assert sorted(COPIES + ["copy-late.txt"]) not in got
    assert [g for g in got if A000 in g] == [sorted([A000, "copy-boilerplate-added.txt", "copy-late.txt",
                                                      "copy-retitled-dropped.txt"])]
    assert [g for g in got if A001 in g] == [sorted([A001, "copy-typos.txt"])]  # now a copy of 001
    # copies deleted
    for name in ("copy-late.txt", "copy-retitled-dropped.txt", "copy-boilerplate-added.txt", "copy-typos.txt"):
        (corpus / name).unlink()
    ix.reindex(corpus)
    assert groups(ix) == []
    assert ix.get(A000).copies == []


def test_detection_off_writes_no_groups(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCHKZ_DEDUP", "0")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    art = seed()[A000]
    _write(corpus, "a.txt", art.title, art.body)
    _write(corpus, "b.txt", art.title, art.body + "\n\nБөлісу")
    ix = Index(tmp_path / "index")
    ix.reindex(corpus, procs=1)
    assert groups(ix) == [] and not (ix._gen / dedup.SIGNATURES).exists()
    monkeypatch.setenv("SEARCHKZ_DEDUP", "1")  # turned on: the next incremental reindex signs every article
    _write(corpus, "c.txt", "Басқа", seed()[A001].body)
    ix.reindex(corpus)
    assert groups(ix) == [["a.txt", "b.txt"]]


def test_generated_jsonl_copies_across_outlets(tmp_path):
    """JSONL reprints from other outlets: grouped, the outlet kept per article."""
    art = seed()[A002]
    lines = [
        {"id": "orig", "title": art.title, "text": art.body, "url": "https://baq.kz/news/1"},
        {"id": "copy", "title": "Азаматтық сектор", "text": typos(art.body, 25), "source": "Egemen Qazaqstan"},
        {"id": "other", "title": seed()[A001].title, "text": seed()[A001].body, "url": "https://www.egemen.kz/a"},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    ix = Index(tmp_path / "index")
    ix.reindex(path, procs=1)
    assert groups(ix) == [["copy", "orig"]]
    assert {d: ix.get(d).source for d in ("orig", "copy", "other")} == {
        "orig": "baq.kz", "copy": "Egemen Qazaqstan", "other": "egemen.kz"}


def test_trec_runs_rank_every_copy(reprinted):
    from searchkz.bench.trec import run_topics

    _corpus, ix = reprinted
    run = run_topics(ix, [("q1", "диалог алаңы")], limit=20)
    assert set(COPIES) <= {d for d, _s in run["q1"]}
