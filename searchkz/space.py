"""Disk space for a reindex: the estimate of what a new generation needs, and the one-line
error when writing it fails (a full disk, a quota, an I/O error).

A reindex builds its new generation beside the live one; when a write fails, the caller
(:func:`searchkz.index.reindex`) removes the partial generation and raises the
:class:`~searchkz.errors.SearchkzError` made here, which names the index, the reason, the
space needed and the space free, and says that the previous index is still live.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from searchkz.errors import SearchkzError

#: Index bytes per corpus byte when the live index gives no measure (measured: 1.2x-1.8x on
#: news articles, up to ~9x on a few hundred short passages; temporary sorted runs come on top).
DEFAULT_RATIO = 3.0
#: Head room on top of the estimate.
MARGIN = 1.25
#: A worker's error arrives as text (``searchkz.segments.BuildError``): its errno, if any.
_ERRNO_RE = re.compile(r"\[Errno (\d+)\]")
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS}


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (0 if it is gone)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def estimate_needed(live: Path | None, live_corpus_bytes: int, new_bytes: int) -> int:
    """Bytes a generation built from ``new_bytes`` of corpus needs, scaled by the live index's
    own ratio of index size to corpus size when there is one."""
    ratio = DEFAULT_RATIO
    if live is not None and live_corpus_bytes > 0:
        ratio = max(ratio, tree_bytes(live) / live_corpus_bytes)
    return int(new_bytes * ratio * MARGIN) + (1 << 20)


def write_errno(exc: BaseException) -> int | None:
    """The errno of a failed write: an :class:`OSError`, or a worker's error carrying one."""
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        return exc.errno
    if type(exc).__name__ == "BuildError" and exc.args:
        m = _ERRNO_RE.search(str(exc.args[0]))
        if m and int(m.group(1)) in _WRITE_ERRNOS:
            return int(m.group(1))
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc and isinstance(cause, OSError):
        return write_errno(cause)
    return None


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB"


def write_failure(exc: BaseException, root: Path, needed: int, written: int, free: int) -> SearchkzError | None:
    """The one-line error for a reindex that failed writing its new generation, or None when
    ``exc`` is not a write error.  ``written``: bytes the partial generation had reached;
    ``free``: bytes free on the index's disk when the reindex started."""
    code = write_errno(exc)
    if code is None:
        return None
    needed = max(needed, written + (1 << 20))
    return SearchkzError(
        f"index {root}: cannot write the new generation ({os.strerror(code)}): about {_mb(needed)} "
        f"needed, {_mb(free)} free; the previous index is still live and unchanged"
    )
