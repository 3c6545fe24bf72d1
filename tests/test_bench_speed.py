"""Smoke test of the speed benchmark (``python -m searchkz.bench.speed``): not a timed test."""

import json
from pathlib import Path

import pytest

from searchkz.bench import speed


def test_corpus_builder_and_reindex(tmp_path: Path):
    sentences, source = speed.load_sentences(None)  # the bundled corpus fallback
    assert len(sentences) >= 10 and source

    info = speed.build_corpus(tmp_path / "c", 50, sentences, seed=3, words=120)
    assert info.articles == 50 and info.files == 50 and info.bytes > 0
    again = speed.build_corpus(tmp_path / "c2", 50, sentences, seed=3, words=120)
    a = sorted(p.read_bytes() for p in (tmp_path / "c").rglob("*.txt"))
    b = sorted(p.read_bytes() for p in (tmp_path / "c2").rglob("*.txt"))
    assert a == b  # seeded

    # the real reader finds title, date and body in every generated file
    from searchkz.corpus import Article, read_corpus

    arts = [x for x in read_corpus(info.path) if isinstance(x, Article)]
    assert len(arts) == 50
    assert all(a.title and a.date and len(a.body.split()) >= 100 for a in arts)
    assert not any("Бөлісу" in a.body or "Өзгелердің" in a.body for a in arts)

    # one reindex as the benchmark runs it (a subprocess), then a search
    index = tmp_path / "ix"
    r = speed.run_child({"task": "reindex", "engine": "searchkz", "index": str(index), "corpus": info.path,
                         "procs": 1})
    assert r["documents"] == 50 and r["index_bytes"] > 0 and r["peak_rss_main_mb"] > 0
    for engine in ("stock", "plain"):  # the baselines: the same pipeline, Whoosh's StandardAnalyzer
        b = speed.run_child({"task": "reindex", "engine": engine, "index": str(tmp_path / engine),
                             "corpus": info.path, "procs": 1})
        assert b["documents"] == 50 and b["index_bytes"] > 0
        from whoosh.index import open_dir

        from searchkz.index import current_generation

        schema = open_dir(str(current_generation(tmp_path / engine))).schema
        assert "StandardAnalyzer" in repr(schema["body"].analyzer) or "RegexTokenizer" in repr(schema["body"].analyzer)
        assert ("exact" in schema.names()) == (engine == "stock") and "folded" not in schema.names()
    # Whoosh's own writer (its multiprocess writer with 2 procs) on the stock schema: the same index
    w = speed.run_child({"task": "reindex", "engine": "whoosh", "index": str(tmp_path / "whoosh"),
                         "corpus": info.path, "procs": 2})
    assert w["documents"] == 50

    def postings(engine):
        from whoosh.index import open_dir

        from searchkz.index import current_generation

        with open_dir(str(current_generation(tmp_path / engine))).reader() as rd:
            ids = {d: rd.stored_fields(d)["id"] for d in range(rd.doc_count_all())}
            return sorted((f, t, ids[d], wt) for f, t in rd.all_terms() if f in ("title", "body", "exact")
                          for d, wt in rd.postings(f, t).items_as("weight"))

    assert postings("whoosh") == postings("stock")
    queries = speed.make_queries(sentences, 5, seed=1)
    assert len(queries) == 5 and all(1 <= len(q.split()) <= 4 for q in queries)
    s = speed.run_child({"task": "search", "index": str(index), "warmup": queries[:1], "queries": queries})
    assert s["queries"] == 5 and s["errors"] == 0 and s["p50_ms"] > 0
    # the baseline: Whoosh's own search and highlighter on the same index
    b = speed.run_child({"task": "stock_search", "index": str(index), "warmup": queries[:1], "queries": queries})
    assert b["queries"] == 5 and b["p50_ms"] > 0 and b["analyzer"] == "KazakhAnalyzer"
    assert b["hits_per_query"] > 0
    s = speed.run_child({"task": "search", "index": str(index), "warmup": queries[:1], "queries": queries,
                         "snippets": False})
    assert s["queries"] == 5 and s["errors"] == 0 and not s["snippets"] and s["peak_rss_mb"] > 0


def test_tantivy_baselines(tmp_path: Path):
    """The bench extra's baselines: tantivy over searchkz's stems, and with its default tokenizer
    and SnippetGenerator, over the same articles."""
    pytest.importorskip("tantivy")
    sentences, _ = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path / "c", 40, sentences, seed=2, words=80)
    queries = speed.make_queries(sentences, 6, seed=1)
    for mode in ("stems", "default"):
        t = speed.run_child({"task": "tantivy", "mode": mode, "corpus": info.path, "workdir": str(tmp_path),
                             "warmup": queries[:1], "queries": queries})
        assert t["documents"] == 40 and t["queries"] == 6 and t["hits_per_query"] > 0


def test_jsonl_corpus(tmp_path: Path):
    sentences, _ = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path / "j", 30, sentences, seed=1, words=60, fmt="jsonl")
    lines = [json.loads(x) for p in Path(info.path).glob("*.jsonl") for x in p.read_text().splitlines()]
    assert len(lines) == 30 and all(x["id"] and x["text"] and x["date"] for x in lines)


def test_table_and_targets():
    results = {
        "machine": {"cpus": 2, "python": "3", "whoosh": "x"},
        "sentences_source": "s",
        "sizes": {
            "100": {
                "corpus": {"bytes": 10**6, "fmt": "txt", "files": 100, "words": 30000, "articles": 100},
                "reindex": [
                    {"engine": e, "procs": 2, "seconds": 1.0, "cpu_seconds": 1.5, "articles_per_s": 100.0,
                     "mb_per_s": 1.0, "index_bytes": 10**6, "index_to_corpus": 1.0, "peak_rss_main_mb": 10,
                     "peak_rss_workers_mb": 10, "peak_rss_tree_mb": 20}
                    for e in ("searchkz", "stock")
                ],
                "ratios": {"searchkz/stock p2": 1.0, "searchkz/stock p2 cpu": 1.0},
            }
        },
    }
    lat = {"queries": 200, "mean_ms": 40.0, "max_ms": 100.0, "hits_per_query": 10.0, "peak_rss_mb": 300.0}
    r = results["sizes"]["100"]
    r["search"] = {**lat, "p50_ms": 30.0, "p95_ms": 90.0}
    r["search_nosnippets"] = {**lat, "p50_ms": 20.0, "p95_ms": 60.0}
    r["search_stock"] = {**lat, "analyzer": "StandardAnalyzer", "p50_ms": 20.0, "p95_ms": 60.0}
    r["tantivy_stems"] = {**lat, "p50_ms": 4.0, "p95_ms": 6.0}
    results["targets"] = speed.check_targets(results)
    table = speed.format_table(results)
    assert "searchkz" in table and "targets:" in table
    assert "ratio searchkz/it p50 1.50, p95 1.50" in table  # against stock Whoosh
    assert "ratio searchkz/it p50 5.00, p95 10.00" in table  # against tantivy on our stems
    got = {t["target"]: t for t in results["targets"]}
    assert got["search p50, no snippets / tantivy on our stems"]["value"] == 5.0
    assert got["search p50, no snippets / tantivy on our stems"]["met"] is False
    assert got["snippets add to p50, ms"]["value"] == 10.0
    assert got["peak RSS of a searching process, MB"]["met"] is False
    assert got["index size / corpus size"]["met"] is True


def test_chunked_posting_runs_give_the_same_index(tmp_path: Path):
    """index._chunked_posting_runs (spilled runs in pickled chunks) changes no index content."""
    from whoosh.index import create_in

    from searchkz import index as im
    from searchkz.corpus import Article, read_corpus

    sentences, _ = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path / "c", 40, sentences, seed=5, words=150)
    arts = [x for x in read_corpus(info.path) if isinstance(x, Article)]
    im._chunked_posting_runs()
    contents = []
    for limitmb in (1, 512):  # 1 MB spills many runs; 512 MB sorts in memory
        d = tmp_path / f"ix{limitmb}"
        d.mkdir()
        ix = create_in(str(d), im.make_schema(), indexname="MAIN")
        w = ix.writer(limitmb=limitmb)
        if limitmb == 1:
            w.pool.limit = 20_000  # bytes: force a spill every few documents
        for a in arts:
            w.add_document(**im._doc_fields(a))
        spilled = len(w.pool.runs)
        w.commit()
        with ix.reader() as r:
            postings = []
            for f in ("title", "body", "exact"):
                for t in r.lexicon(f):
                    m = r.postings(f, t)
                    plist = []
                    while m.is_active():
                        plist.append((m.id(), m.weight(), m.value()))
                        m.next()
                    postings.append((f, t, plist))
            stored = [r.stored_fields(i) for i in range(r.doc_count_all())]
            postings.append(("stored", b"", stored))
        contents.append((spilled, postings))
    assert contents[0][0] > 3 and contents[1][0] == 0
    assert contents[0][1] == contents[1][1]
