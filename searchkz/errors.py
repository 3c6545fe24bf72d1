"""The exceptions searchkz raises. Every one of them is a :class:`SearchkzError`;
the CLI prints its message as one line and exits with status 2."""

from __future__ import annotations


class SearchkzError(Exception):
    """Base class: a problem the user can fix, with a one-line message."""


class QueryError(SearchkzError):
    """The query cannot be parsed or run (empty, malformed, bad date)."""


class IndexNotFoundError(SearchkzError):
    """There is no index at the given path."""


class IndexVersionError(SearchkzError):
    """The index was built by another analyzer version; it must be rebuilt."""


class IndexCorruptError(SearchkzError):
    """The index cannot be opened or read."""


class LockTimeoutError(SearchkzError):
    """Another reindex holds the index lock and did not release it in time."""


class DocumentNotFoundError(SearchkzError):
    """No article with that id in the index."""
