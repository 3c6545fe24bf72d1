"""tantivy as a search baseline for :mod:`searchkz.bench.speed` (needs the ``bench`` extra).

Two engines over the same articles (title and body, as searchkz's reader cleans them):

* ``stems``: tantivy indexing **searchkz's own stems** (each word's stem, stop words
  dropped, joined by spaces; whitespace tokenizer) and queried with the stemmed query
  words as an OR over title and body — the same matching as searchkz's, another
  engine; no snippets;
* ``default``: tantivy's default tokenizer on the text as written, the query words
  as typed, top 10 with its ``SnippetGenerator`` on the body.

Each builds its index in ``spec["workdir"]`` and times the queries warm, one at a time.
"""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path


def _articles(corpus: str):
    from searchkz import corpus as corpus_mod

    sources, _ = corpus_mod.list_sources(corpus)
    for src in sources:
        arts, _problems = corpus_mod.read_source(src)
        for a in arts:
            yield a.id, a.title or "", a.body


def _stems(text: str) -> str:
    from searchkz.analysis import iter_words

    return " ".join(a.stem for _raw, _s, _e, a in iter_words(text) if not a.stop)


def child_tantivy(spec: dict) -> dict:
    """``spec``: ``mode`` (stems|default), ``corpus``, ``workdir``, ``warmup``, ``queries``."""
    import tantivy

    from searchkz.bench.speed import _latencies

    mode = spec["mode"]
    tok = "whitespace" if mode == "stems" else "default"
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name=tok)
    sb.add_text_field("body", stored=True, tokenizer_name=tok)
    schema = sb.build()
    path = Path(spec["workdir"]) / f"tantivy-{mode}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    n = 0
    for doc_id, title, body in _articles(spec["corpus"]):
        if mode == "stems":
            title, body = _stems(title), _stems(body)
        writer.add_document(tantivy.Document(id=doc_id, title=title, body=body))
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    index_s = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()

    def query_text(q: str) -> str:
        words = _stems(q).split() if mode == "stems" else q.split()
        return " ".join(w.replace('"', "") for w in words if w.strip()) or "x"

    def one(q: str) -> int:
        query = index.parse_query(query_text(q), ["title", "body"])
        hits = searcher.search(query, 10).hits
        if mode == "default":
            gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
            for _score, addr in hits:
                gen.snippet_from_doc(searcher.doc(addr)).to_html()
        else:
            for _score, addr in hits:
                searcher.doc(addr)["id"]
        return len(hits)

    for q in spec["warmup"]:
        one(q)
    times, hits = [], 0
    for q in spec["queries"]:
        t0 = time.perf_counter()
        hits += one(q)
        times.append(time.perf_counter() - t0)
    shutil.rmtree(path, ignore_errors=True)
    return {
        **_latencies(times),
        "mode": mode,
        "documents": n,
        "index_seconds": index_s,
        "hits_per_query": hits / max(1, len(times)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
