"""searchkz — full-text search for Kazakh text.

The Python API::

    from searchkz import Index, analyze, stem
    ix = Index("index")                 # default: $SEARCHKZ_INDEX or ./index
    ix.reindex("corpus")                # incremental; full=True rebuilds
    for hit in ix.search("қоғамдық кеңес", limit=5, since="2019-01-01"):
        print(hit.rank, hit.id, hit.title, hit.score, hit.snippet, hit.highlights)
    ix.get("003_ef5e74323f016fa6.txt").text
    stem("кеңестердің")                 # 'кеңес'

Every error searchkz raises is a :class:`SearchkzError` (bad queries:
:class:`QueryError`).  Heavy modules are imported on first use, so importing
the package (and ``searchkz --help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Index",
    "ReindexStats",
    "Hit",
    "Document",
    "analyze",
    "stem",
    "SearchkzError",
    "QueryError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexCorruptError",
    "LockTimeoutError",
    "CorpusError",
]

_LAZY = {
    "Index": "searchkz.api",
    "Document": "searchkz.api",
    "ReindexStats": "searchkz.index",
    "Hit": "searchkz.search",
    "analyze": "searchkz.analysis",
    "stem": "searchkz.analysis",
    "SearchkzError": "searchkz.errors",
    "QueryError": "searchkz.errors",
    "IndexNotFoundError": "searchkz.errors",
    "IndexVersionError": "searchkz.errors",
    "IndexCorruptError": "searchkz.errors",
    "LockTimeoutError": "searchkz.errors",
    "CorpusError": "searchkz.corpus",
}


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'searchkz' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
