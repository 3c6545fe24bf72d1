"""Index health: :meth:`searchkz.api.Index.stats` and :meth:`~searchkz.api.Index.check`."""

from __future__ import annotations

import numpy as np


def stats(ix) -> dict:
    """Documents, terms, size on disk, segments, analyzer version, last reindex of an open
    :class:`~searchkz.api.Index`."""
    from searchkz.api import _corrupt
    from searchkz.explore import doc_sources
    from searchkz.index import verify_generation
    from searchkz.rank import ranker_for

    searcher = ix._open()
    verify_generation(ix._gen, ix._manifest)
    size = sum(p.stat().st_size for p in ix._gen.iterdir() if p.is_file())
    segments = ranker_for(searcher).segments
    try:
        terms = {f: _live_terms(segments, f) for f in ("body", "exact", "title")}
    except Exception as exc:
        raise _corrupt(ix.path, ix._gen, exc) from None
    codes = doc_sources(searcher)[0]  # (deleted documents have none)
    return {
        "index": str(ix.path),
        "generation": ix._gen.name,
        "documents": searcher.doc_count(),
        "terms": terms,
        "size_bytes": size,
        "segments": len(segments),
        # an incremental update's segments are ranked from Whoosh's postings, a posting at a time
        "segments_without_arrays": sum(seg.arrays is None for seg in segments),
        "analyzer_version": ix._manifest.get("analyzer_version"),
        "corpus": ix._manifest.get("corpus"),
        "created": ix._manifest.get("created"),
        "last_reindex": ix._manifest.get("last_reindex"),
        "corpus_files": len(ix._manifest.get("sources", {})),  # (the manifest's "sources": files read)
        "outlets": len(np.unique(codes[codes >= 0])),
    }


def _live_terms(segments, fieldname: str) -> int:
    """The number of the field's terms that a live document has."""
    terms: set[bytes] = set()
    for seg in segments:
        terms.update(seg.live_terms(fieldname))
    return len(terms)


def check(ix) -> list[str]:
    """The problems of an index (empty = healthy): its files' checksums, every stored document
    readable, the document count the manifest says."""
    from searchkz.index import unpack_text, verify_generation

    searcher = ix._open()
    reader = searcher.reader()
    verify_generation(ix._gen, ix._manifest)
    problems = []
    n = 0
    fix = f"searchkz reindex --full --index {ix.path}"
    try:
        for docnum, fields in reader.iter_docs():
            n += 1
            try:
                unpack_text(fields.get("text", b""))
                if not fields.get("id"):
                    raise ValueError("no id")
            except Exception as exc:
                problems.append(f"document #{docnum} is unreadable ({exc}); fix: {fix}")
    except Exception as exc:
        problems.append(f"stored documents cannot be read ({type(exc).__name__}: {exc}); fix: {fix}")
    expected = ix._manifest.get("documents")
    if expected is not None and expected != n:
        problems.append(f"the index holds {n} documents, its manifest says {expected}; fix: {fix}")
    return problems
