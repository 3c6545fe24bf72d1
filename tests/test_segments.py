"""The segment writer of full reindexes (searchkz.segments): the same index as
Whoosh's own writer, any number of segments and processes, failures reported."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.index import create_in

from searchkz import Index
from searchkz import index as im
from searchkz import segments
from searchkz.bench import speed
from searchkz.corpus import Article, read_corpus
from searchkz.index import current_generation
from searchkz.updates import UpdateWriter


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> list[Article]:
    """300 articles of real Kazakh sentences (the bundled corpus's), so common words
    like ``қазақстан`` have several 128-posting blocks."""
    sentences, _ = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path_factory.mktemp("c") / "c", 300, sentences, seed=3, words=120)
    return [x for x in read_corpus(info.path) if isinstance(x, Article)]


def _index_with(folder: Path, docs, writer_of):
    folder.mkdir()
    ix = create_in(str(folder), im.make_schema(), indexname="MAIN")
    w = writer_of(ix)
    for fields in docs:
        w.add_document(**fields)
    w.commit()
    return ix


def _drain(m, item) -> list:
    """``item(m)`` for every posting of the matcher ``m``."""
    out = []
    while m.is_active():
        out.append(item(m))
        m.next()
    return out


def _contents(ix) -> dict:
    """Everything a reader can see: each term's postings with their block statistics,
    its term statistics, stored fields and field lengths."""
    out = {}
    with ix.reader() as r:
        for f, t in r.all_terms():
            ti = r.term_info(f, t)
            plist = _drain(r.postings(f, t), lambda m: (m.id(), m.weight(), m.value(), m.block_max_weight(),
                                                       m.block_min_length(), m.block_max_length()))
            out[(f, t)] = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(),
                           ti.min_id(), ti.max_id(), plist)
        out["stored"] = [r.stored_fields(d) for d in range(r.doc_count_all())]
        out["lengths"] = [[r.doc_field_length(d, f) for f in ("title", "body", "exact")]
                          for d in range(r.doc_count_all())]
        out["totals"] = [r.field_length(f) for f in ("title", "body", "exact")]
    return out


@pytest.mark.parametrize("blockwise", [True, False], ids=["blocks", "per-posting-fallback"])
def test_fast_writer_writes_what_whoosh_writes(articles, tmp_path, monkeypatch, blockwise):
    if not blockwise:  # another Whoosh without W3's block buffer: the public add_posting path
        monkeypatch.setattr(segments, "_BLOCK_ATTRS", segments._BLOCK_ATTRS + ("_no_such_attribute",))
    docs = []
    for i, a in enumerate(articles):  # some documents without a date, an empty or no title
        fields = im._doc_fields(replace(a, date=None) if i % 7 == 3 else replace(a, title="") if i % 11 == 5 else a)
        if i % 13 == 6:
            del fields["title"]
        docs.append(fields)
    # the incremental reindex's writer: Whoosh's, with the analyzer's counted field lengths
    whoosh = _contents(_index_with(tmp_path / "whoosh", docs, UpdateWriter))
    fast = _contents(_index_with(tmp_path / "fast", docs, segments.FastSegmentWriter))
    assert fast.keys() == whoosh.keys()
    assert ("body", "қазақстан".encode()) in whoosh  # real Kazakh terms, stemmed
    assert max(len(v[-1]) for k, v in whoosh.items() if isinstance(k, tuple)) > 2 * 128  # three blocks or more
    for key in whoosh:
        assert fast[key] == whoosh[key], key


def _contents_by_id(index: Index) -> dict:
    """What the index holds, named by document id instead of document number (which
    depends on how the work was split): each term's postings, each document's
    stored fields and field lengths."""
    out: dict = {}
    with im._open_whoosh(current_generation(index.path)).reader() as r:
        ids = {d: r.stored_fields(d)["id"] for d in range(r.doc_count_all())}
        for f, t in r.all_terms():
            out[(f, t)] = sorted(_drain(r.postings(f, t), lambda m: (ids[m.id()], m.weight(), m.value())))
        for d, doc_id in ids.items():
            out[doc_id] = (r.stored_fields(d), [r.doc_field_length(d, f) for f in ("title", "body", "exact")])
        out["segments"] = len(list(r.leaf_readers()))
    return out


@pytest.fixture(scope="module")
def corpus_dir(articles, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jsonl")
    rows = [{"id": a.id, "title": a.title, "date": a.date.isoformat() if a.date else None, "text": a.body}
            for a in articles]
    for k in range(6):  # six files, so two workers share them
        with open(folder / f"part{k}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows[k::6]:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return folder


def test_processes_and_segment_limit_do_not_change_contents(corpus_dir, tmp_path, monkeypatch):
    one = Index(tmp_path / "one")
    one.reindex(corpus_dir, procs=1)
    expected = _contents_by_id(one)
    assert expected.pop("segments") == 1
    two = Index(tmp_path / "two")
    assert two.reindex(corpus_dir, procs=2).documents == one.doc_count() == 300
    got = _contents_by_id(two)
    assert got.pop("segments") == 2
    assert got == expected
    monkeypatch.setattr(segments, "DEFAULT_LIMIT_MB", 0.05)  # a new segment every few documents
    many = Index(tmp_path / "many")
    many.reindex(corpus_dir, procs=2)
    got = _contents_by_id(many)
    assert got.pop("segments") > 4
    assert got == expected
    scores = [[round(h.score, 6) for h in ix.search("Қазақстан Республикасы", snippets=False)] for ix in (one, many)]
    assert len(scores[0]) == 10 and scores[0] == scores[1]  # the same ranking (ties may be numbered otherwise)


def test_big_jsonl_file_is_split_across_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(im, "_SPLIT_BYTES", 200)
    monkeypatch.setattr(im, "_BATCH_DOCS", 3)
    lines = [json.dumps({"id": f"d{i}", "title": f"Мақала {i}", "text": f"Қоғамдық кеңестің {i}-отырысы өтті."},
                        ensure_ascii=False) for i in range(20)]
    lines.insert(7, "{not json")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "all.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls, problems = [], []
    ix = Index(tmp_path / "ix")
    stats = ix.reindex(tmp_path / "c", procs=2, progress=lambda d, t: calls.append((d, t)),
                       on_problem=problems.append)
    assert stats.documents == 20 and ix.doc_count() == 20
    assert [p.source for p in problems] == ["all.jsonl:8"]
    assert calls == [(1, 1)]
    assert {h.id for h in ix.search("кеңес", limit=50)} == {f"d{i}" for i in range(20)}


@pytest.mark.parametrize("procs", [1, 2])
def test_duplicate_ids_keep_the_first_in_corpus_order(tmp_path, procs):
    folder = tmp_path / "c"
    folder.mkdir()
    for k in range(8):
        rows = [{"id": f"f{k}-{i}", "text": f"Ауыл шаруашылығы туралы {k} {i}."} for i in range(5)]
        rows.append({"id": "same", "title": f"Нұсқа {k}", "text": "Бірдей идентификатор."})
        (folder / f"{k}.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
                                           encoding="utf-8")
    problems = []
    ix = Index(tmp_path / "ix")
    stats = ix.reindex(folder, procs=procs, on_problem=problems.append)
    assert stats.documents == 41 and ix.doc_count() == 41
    assert ix.get("same").title == "Нұсқа 0"
    assert sorted(p.source for p in problems) == [f"{k}.jsonl" for k in range(1, 8)]
    assert [h.id for h in ix.search("идентификатор")] == ["same"]


def test_failing_worker_stops_the_build_and_keeps_the_old_index(corpus_dir, tmp_path):
    ix = Index(tmp_path / "ix")
    ix.reindex(corpus_dir, procs=1)
    live = current_generation(ix.path)
    with pytest.raises(segments.BuildError, match="simulated failure"):
        im.reindex(ix.path, corpus_dir, full=True, procs=2, _fail_after=10)
    assert current_generation(ix.path) == live
    assert sorted(p.name for p in ix.path.iterdir() if p.name.startswith(("gen-", "tmp-"))) == [live.name]
    assert Index(ix.path).doc_count() == 300


def test_dead_worker_is_reported(tmp_path):
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = create_in(str(folder), im.make_schema(), indexname="MAIN")

    def prepare(unit):
        os._exit(3)  # as if the OOM killer took it

    with pytest.raises(segments.BuildError, match="died"):
        segments.build(ix, [("file", (0, 0, True))] * 4, prepare, lambda *a: None, procs=2)


def test_segments_are_written_with_searchkz_block_size(corpus_dir, tmp_path):
    """A full reindex and an incremental one write W3 blocks of POSTING_BLOCK postings (Whoosh's 128
    cost a block's Python overhead eight times as often); a list longer than a block still reads whole."""
    corpus = shutil.copytree(corpus_dir, tmp_path / "corpus")  # (the fixture is shared)
    index = Index(tmp_path / "index")
    index.reindex(corpus, procs=1)
    (corpus / "part0.jsonl").write_text(
        json.dumps({"id": "new-1", "title": "Жаңа", "text": "Қазақстан жаңалықтары."}, ensure_ascii=False) + "\n"
        + (corpus / "part0.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    index.reindex(corpus, procs=1)
    with im._open_whoosh(current_generation(index.path)).reader() as r:
        leaves = [sub for sub, _ in r.leaf_readers()]
        assert len(leaves) >= 2  # the incremental update's own segment
        assert {sub.segment().codec()._blocklimit for sub in leaves} == {segments.POSTING_BLOCK}
