"""Reindexing: incremental add/change/delete, atomic generations, versions, locks."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

from searchkz import Index, IndexVersionError, LockTimeoutError
from searchkz.index import CURRENT, MANIFEST, current_generation, index_lock, read_manifest

S000 = "000_673e680e95f3e0a9.txt"
S003 = "003_ef5e74323f016fa6.txt"


@pytest.fixture
def built(tmp_corpus, tmp_path):
    ix = Index(tmp_path / "index")
    ix.reindex(tmp_corpus, procs=1)
    return ix, tmp_corpus


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_incremental_add_change_delete(built):
    ix, corpus = built
    (corpus / "new.txt").write_text("Жаңа мақала\n\n1 Қаңтар 2024, 10:00\n\nАстанада жаңа кітапхана ашылды.\n", encoding="utf-8")
    p3 = corpus / S003
    p3.write_text(p3.read_text(encoding="utf-8").replace("Балаева", "Жаңабаева"), encoding="utf-8")
    _touch_later(p3)
    (corpus / S000).unlink()
    stats = ix.reindex(corpus)
    assert (stats.added, stats.updated, stats.deleted) == (1, 1, 1)
    assert stats.documents == 5 and not stats.full
    assert [h.id for h in ix.search("кітапхана")] == ["new.txt"]
    assert ix.get(S000) is None
    assert ix.search("Жаңабаева")[0].id == S003
    assert not [h for h in ix.search("Балаева") if h.id == S003]
    assert ix.doc_count() == 5


def test_stats_count_the_live_documents_after_an_update(built, tmp_path):
    """An update leaves a deleted or replaced article's terms in its segment until a merge; stats
    counts the terms and outlets of the live articles only, as a full reindex of the corpus does."""
    ix, corpus = built
    before = ix.stats()
    p3 = corpus / S003
    p3.write_text(p3.read_text(encoding="utf-8").replace("Балаева", "Жаңабаева"), encoding="utf-8")
    _touch_later(p3)
    (corpus / S000).unlink()
    ix.reindex(corpus)
    got = ix.stats()
    fresh = Index(tmp_path / "fresh")
    fresh.reindex(corpus, full=True, procs=1)
    want = fresh.stats()
    assert got["documents"] == want["documents"] == 4
    assert got["terms"] == want["terms"] and got["terms"]["body"] < before["terms"]["body"]
    assert got["outlets"] == want["outlets"] == before["outlets"] - 1  # (baq.kz had only the deleted article)


def test_unchanged_corpus_is_not_rewritten(built):
    ix, corpus = built
    gen_before = current_generation(ix.path)
    stats = ix.reindex(corpus)
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged) == (0, 0, 0, 5)
    assert current_generation(ix.path) == gen_before


def test_touched_but_identical_file_is_not_reindexed(built):
    ix, corpus = built
    _touch_later(corpus / S003)
    stats = ix.reindex(corpus)
    assert (stats.added, stats.updated, stats.deleted) == (0, 0, 0)
    # the new mtime is remembered: the next run does not even read the file
    manifest = read_manifest(current_generation(ix.path))
    assert manifest["sources"][S003][0] == (corpus / S003).stat().st_mtime_ns


def test_failed_reindex_leaves_old_index_answering(built, monkeypatch):
    ix, corpus = built
    from searchkz import index as index_mod

    live = current_generation(ix.path)
    original = index_mod._doc_fields
    calls = {"n": 0}

    def exploding(article):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return original(article)

    monkeypatch.setattr(index_mod, "_doc_fields", exploding)
    with pytest.raises(RuntimeError):
        ix.reindex(corpus, full=True, procs=1)
    monkeypatch.undo()
    assert current_generation(ix.path) == live
    assert Index(ix.path).search("қоғамдық кеңес")[0].id == S003
    assert Index(ix.path).doc_count() == 5
    # the half-built generation was removed
    assert [p.name for p in ix.path.iterdir() if p.name.startswith("tmp-")] == []


def test_full_rebuild_swaps_generation(built):
    ix, corpus = built
    old = current_generation(ix.path)
    stats = ix.reindex(corpus, full=True, procs=1)
    assert stats.full and stats.added == 5
    new = current_generation(ix.path)
    assert new != old and ix.search("ұйым")


def test_multiprocess_full_reindex_keeps_every_document(tmp_corpus, tmp_path):
    for i in range(30):
        (tmp_corpus / f"extra{i:02d}.txt").write_text(
            f"Мақала {i}\n\nКеңес туралы мақала нөмірі {i}. Қоғамдық кеңестің отырысы өтті.\n", encoding="utf-8"
        )
    ix = Index(tmp_path / "index")
    stats = ix.reindex(tmp_corpus, full=True, procs=2)
    assert stats.documents == 35 and ix.doc_count() == 35


def test_other_analyzer_version_is_rebuilt_not_mixed(built):
    ix, corpus = built
    gen = current_generation(ix.path)
    manifest = read_manifest(gen)
    manifest["analyzer_version"] = "0/old"
    (gen / MANIFEST).unlink()
    (gen / "manifest.json").write_text(json.dumps(manifest))  # an older generation's plain manifest
    fresh = Index(ix.path)
    with pytest.raises(IndexVersionError, match="reindex --full"):
        fresh.search("ұйым")
    stats = fresh.reindex(corpus)
    assert stats.full and stats.added == 5
    assert fresh.search("ұйым")


def test_second_reindex_waits_for_lock_then_fails(built):
    ix, corpus = built
    with index_lock(ix.path):
        started = time.monotonic()
        with pytest.raises(LockTimeoutError, match="another reindex"):
            ix.reindex(corpus, lock_timeout=0.5)
        assert time.monotonic() - started >= 0.5


def test_leftovers_are_cleaned(built):
    ix, corpus = built
    (ix.path / "tmp-killed-build").mkdir()
    (ix.path / "tmp-killed-build" / "junk").write_text("x")
    (ix.path / (CURRENT + ".tmp")).write_text("gen-x")
    for _ in range(3):
        ix.reindex(corpus, full=True, procs=1)
    names = sorted(p.name for p in ix.path.iterdir())
    assert not [n for n in names if n.startswith("tmp-") or n.endswith(".tmp")]
    # the live generation and the one before it
    assert len([n for n in names if n.startswith("gen-")]) == 2


def test_jsonl_corpus_and_metadata(tmp_path):
    src = tmp_path / "news.jsonl"
    rows = [
        {"id": "a1", "title": "Астанада жиын", "date": "2021-05-01", "text": "Қоғамдық кеңестің жиыны өтті.", "url": "http://x"},
        {"id": "a2", "title": "Спорт", "date": None, "text": "Күрестен чемпионат басталды."},
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    ix = Index(tmp_path / "index")
    stats = ix.reindex(src, procs=1)
    assert stats.documents == 2 and stats.skipped == 1
    hit = ix.search("кеңес")[0]
    assert hit.id == "a1" and hit.date.year == 2021
    assert ix.get("a1").metadata.get("url") == "http://x"


def _stored_and_date_terms(ix: Index):
    searcher = ix._open()
    r = searcher.reader()
    stored = {f["id"]: f for _n, f in r.iter_docs()}
    return stored, list(r.lexicon("date"))


@pytest.mark.parametrize(
    "rows, stored_keys",
    [
        # one day, three times: stored as given, indexed as the same day (the same date terms)
        ([{"id": "a1", "title": "Таңғы жаңалықтар", "date": "2021-05-01T07:15:00", "text": "Астанада жаңбыр жауды."},
          {"id": "a2", "title": "Түскі жаңалықтар", "date": "2021-05-01T13:40:00", "text": "Алматыда күн ашық."},
          {"id": "a3", "title": "Кешкі жаңалықтар", "date": "2021-05-01T23:59:00", "text": "Шымкентте жел тұрды."}],
         {"id", "source", "title", "date", "text"}),
        # metadata is stored only when the article has some; no date: no date field
        ([{"id": "b1", "title": "Спорт", "text": "Күрестен чемпионат басталды.", "url": "http://x"}],
         {"id", "source", "title", "text", "meta"}),
    ],
)
def test_stored_fields_and_dates_by_day(tmp_path, rows, stored_keys):
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    ix = Index(tmp_path / "index")
    ix.reindex(src, procs=1)
    stored, date_terms = _stored_and_date_terms(ix)
    for row in rows:
        f = stored[row["id"]]
        assert set(f) == stored_keys  # no analyzer version, content hash or empty metadata per document
        assert f["text"] == row["text"]
        if "date" in row:
            assert f["date"] == datetime.fromisoformat(row["date"])  # the time is kept
            assert ix.get(row["id"]).date == datetime.fromisoformat(row["date"])
    dates = {r["date"][:10] for r in rows if "date" in r}
    assert len(date_terms) == 2 * len(dates)  # per day: its day term and its ~12-day block term
    for day in dates:
        assert {h.id for h in ix.search("date:" + day.replace("-", ""), limit=10)} == {
            r["id"] for r in rows if r.get("date", "").startswith(day)}


def test_index_has_no_folded_field(built):
    ix, _corpus = built
    assert "folded" not in ix._open().schema
    # typed without Kazakh letters: found through the respellings the index has
    assert ix.search("когамдык кенес")[0].id == S003
    assert ix.search("когамдык AND кенес")[0].id == S003


def test_generation_survives_a_removed_corpus_file_reread(built):
    ix, corpus = built
    shutil.rmtree(corpus)
    corpus.mkdir()
    stats = ix.reindex(corpus)
    assert stats.deleted == 5 and stats.documents == 0


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc (Linux)")
def test_close_releases_the_generations_files(built):
    """After a search (ranker, mapped arrays) and close, no file of the index stays open or mapped:
    a closed generation's disk space goes with the close, not with the garbage collector."""
    import gc

    def held() -> list[str]:
        paths = [line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()]
        for fd in os.listdir("/proc/self/fd"):
            try:
                paths.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                continue
        return sorted({p for p in paths if p.startswith(str(ix.path))})

    ix, _corpus = built
    assert ix.search("қоғамдық кеңес").total > 0
    assert held()  # (the arrays are mapped while the index is open)
    gc.disable()  # (only the close may release them)
    try:
        ix.close()
        assert held() == []
    finally:
        gc.enable()
