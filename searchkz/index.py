"""The Whoosh index: schema, (incremental) reindex, atomic generations, locking.

Layout of an index folder::

    index/
      CURRENT          name of the live generation (replaced atomically)
      gen-<stamp>/     a complete Whoosh index + manifest.json.gz
      .lock            held (flock) by the one reindex that may run at a time

Every reindex, full or incremental, writes a *new* generation and then points
``CURRENT`` at it with one ``os.replace``: a reindex that dies at any moment
leaves the previous generation live and complete.  An incremental reindex
starts its generation as hard links of the live one (Whoosh segment files are
immutable; deletions live in the table of contents), so it costs only what
changed.  ``manifest.json.gz`` (gzip'd JSON) records, per source file, its mtime and size and the
content hash of each of its documents: unchanged files are skipped without
being read.
"""

from __future__ import annotations

import errno
import fcntl
import gzip
import json
import os
import re
import shutil
import time
import zlib
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from searchkz import dedup
from searchkz.analysis import ANALYZER_VERSION, KazakhAnalyzer
from searchkz.errors import (
    IndexCorruptError,
    IndexNotFoundError,
    IndexVersionError,
    LockTimeoutError,
    SearchkzError,
)

TITLE_BOOST = 2.0
CURRENT = "CURRENT"
MANIFEST = "manifest.json.gz"  # gzip'd JSON (100,000 one-file articles: 11.4 MB plain, 4.0 MB gzip'd)
_OLD_MANIFEST = "manifest.json"  # (plain JSON, before: still read for its analyzer version)
_MANIFESTS = (MANIFEST, _OLD_MANIFEST)
LOCKFILE = ".lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = "tmp-"
DEFAULT_LOCK_TIMEOUT = 30.0
WHOOSH_INDEXNAME = "MAIN"
DATE_SHIFT_STEP = 40


def make_schema():
    """The searchkz schema (see docs/ARCHITECTURE.md for why each field exists)."""
    from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

    date = DATETIME(stored=True)  # indexed by day (index_day), stored with its time
    # Whoosh indexes a datetime (microseconds) in 8 tiers of 8 bits; days are 2^36 µs apart,
    # so tiers 8-32 are as fine as tier 0. Two tiers: the day and ~12.7-day blocks (2^40 µs)
    # keep a range of years to a few hundred terms (the field is pickled with this attribute).
    date.shift_step = DATE_SHIFT_STEP
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        title=TEXT(analyzer=KazakhAnalyzer("stem"), stored=True, field_boost=TITLE_BOOST),
        date=date,
        body=TEXT(analyzer=KazakhAnalyzer("stem")),
        exact=TEXT(analyzer=KazakhAnalyzer("exact"), phrase=False),
        text=STORED,  # the cleaned article text (Whoosh compresses each stored record)
        meta=STORED,  # unknown JSONL keys (only when there are any)
    )


def index_day(d: datetime) -> datetime:
    """The value ``date`` is indexed by: the day (date ranges are by day, month or year;
    one distinct value per minute made the date terms about as many as the documents)."""
    return d.replace(hour=0, minute=0, second=0, microsecond=0)


def unpack_text(blob) -> str:
    """The stored article text of a document's stored fields (``fields.get("text")``)."""
    if isinstance(blob, str):
        return blob
    if not blob:  # None, b"": a document without text
        return ""
    raise ValueError(f"stored text of an unknown kind ({type(blob).__name__}); rebuild the index")


@dataclass
class ReindexStats:
    """What a reindex did."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    documents: int = 0
    full: bool = False
    seconds: float = 0.0
    problems: list = field(default_factory=list)  # corpus.Problem items
    rebuilt_because: str = ""  # why an incremental reindex had to rebuild from scratch

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.fatal)

    def summary(self) -> str:
        kind = "full" if self.full else "incremental"
        if self.rebuilt_because:
            kind += f", rebuilt: {self.rebuilt_because}"
        return (
            f"reindex ({kind}): {self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged; {self.documents} documents; "
            f"{self.skipped} skipped; {self.seconds:.1f}s"
        )


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- locking -----------------------------------------------------------------


@contextmanager
def index_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the index's reindex lock; wait up to ``timeout`` seconds for it.

    The lock is an ``flock`` on ``.lock``: the kernel drops it when the holder
    dies, so a killed reindex never leaves a stale lock behind.
    """
    if timeout is None:
        timeout = float(os.environ.get("SEARCHKZ_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCKFILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(
                        f"another reindex is running on {root} (waited {timeout:g}s for its lock); try again later"
                    ) from None
                time.sleep(0.1)
        try:  # the holder's pid, for people; a full disk must not stop the reindex here
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        _HELD_LOCK_FDS.add(fd)
        yield
    finally:
        _HELD_LOCK_FDS.discard(fd)
        os.close(fd)  # closing releases the flock


# Lock fds this process holds: forked indexing workers close their copies, or a
# killed reindex's orphaned workers would keep the flock (and block every
# later reindex) for as long as they live.
_HELD_LOCK_FDS: set[int] = set()


def _worker_guard(parent_pid: int) -> None:
    """In a forked indexing worker (:func:`searchkz.segments.build`): drop the inherited
    index lock and exit when the parent dies."""
    import threading

    for fd in list(_HELD_LOCK_FDS):
        try:
            os.close(fd)  # the parent still holds the flock through its own fd
        except OSError:
            pass
    _HELD_LOCK_FDS.clear()

    def watch():
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)  # orphaned: the reindex that started us is gone
            time.sleep(0.2)

    threading.Thread(target=watch, name="searchkz-parent-watch", daemon=True).start()


# -- generations -------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when the folder holds no index."""
    try:
        name = (root / CURRENT).read_bytes().decode("utf-8", "replace").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorruptError(
            f"cannot read {root / CURRENT}: {exc.strerror}; rebuild with: searchkz reindex --full --index {root}"
        ) from None
    if not name.startswith(GEN_PREFIX) or "/" in name or "\ufffd" in name or not name.isprintable():
        raise IndexCorruptError(f"{root / CURRENT} is damaged; rebuild with: searchkz reindex --full --index {root}")
    gen = root / name
    if not gen.is_dir():
        raise IndexCorruptError(
            f"the live index generation {gen} is missing; rebuild with: searchkz reindex --full --index {root}"
        )
    return gen


def _manifest_path(gen: Path) -> Path:
    path = gen / MANIFEST
    return path if path.exists() or not (gen / _OLD_MANIFEST).exists() else gen / _OLD_MANIFEST


def _manifest_bytes(path: Path, limit: int = -1) -> bytes:
    """The manifest's JSON (its first ``limit`` bytes), gzip'd or not."""
    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            fh.seek(0)
            return fh.read(limit)
        fh.seek(0)
        with gzip.GzipFile(fileobj=fh) as z:
            return z.read(limit)


def read_manifest(gen: Path) -> dict:
    path = _manifest_path(gen)
    try:
        return json.loads(_manifest_bytes(path))
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise IndexCorruptError(
            f"index manifest {path} is unreadable ({exc}); rebuild with: searchkz reindex --full --index {gen.parent}"
        ) from None


class LazyManifest(Mapping):
    """A generation's manifest, parsed on first use.

    The manifest lists every source file with its documents' hashes (megabytes
    for a big corpus); a search needs only its analyzer version, which
    :func:`manifest_analyzer_version` reads from the file's first bytes.
    """

    def __init__(self, gen: Path) -> None:
        self._gen = gen
        self._data: dict | None = None

    def _load(self) -> dict:
        if self._data is None:
            self._data = read_manifest(self._gen)
        return self._data

    def __getitem__(self, key):
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


_VERSION_RE = re.compile(r'"analyzer_version"\s*:\s*("(?:[^"\\]|\\.)*")')


def manifest_analyzer_version(gen: Path) -> str | None:
    """The manifest's analyzer version, from its head (the whole file when not found there)."""
    try:
        head = _manifest_bytes(_manifest_path(gen), 4096).decode("utf-8", "replace")
        m = _VERSION_RE.search(head)
        if m:
            return json.loads(m.group(1))
    except (OSError, ValueError, EOFError, zlib.error):
        pass
    return read_manifest(gen).get("analyzer_version")


def _index_files(gen: Path) -> list[Path]:
    """The Whoosh files of a generation (not the manifest, lock or temporary files)."""
    return sorted(
        p for p in gen.iterdir()
        if p.is_file() and p.name not in _MANIFESTS and not p.name.endswith(".tmp") and "LOCK" not in p.name
    )


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def file_checksums(gen: Path) -> dict:
    """``{file name: [size, crc32]}`` of a generation's index files (recorded in its manifest)."""
    return {p.name: [p.stat().st_size, _crc32(p)] for p in _index_files(gen)}


def verify_generation(gen: Path, manifest: dict) -> None:
    """Raise :class:`IndexCorruptError` when an index file of ``gen`` is missing,
    truncated or changed since it was written (checked against the manifest's
    checksums; a manifest without them, from an older searchkz, passes)."""
    fix = f"rebuild with: searchkz reindex --full --index {gen.parent}"
    for name, (size, crc) in sorted((manifest.get("files") or {}).items()):
        p = gen / name
        try:
            actual = p.stat().st_size
        except OSError as exc:
            raise IndexCorruptError(f"index file {p} is missing ({exc.strerror}); {fix}") from None
        if actual != size:
            raise IndexCorruptError(f"index file {p} has {actual} bytes, {size} expected (truncated?); {fix}")
        try:
            ok = _crc32(p) == crc
        except OSError as exc:
            raise IndexCorruptError(f"index file {p} cannot be read ({exc.strerror}); {fix}") from None
        if not ok:
            raise IndexCorruptError(f"index file {p} is damaged (checksum mismatch); {fix}")


def check_generation(gen: Path, manifest: dict) -> None:
    """Cheap health check of a generation before it is reused: files intact, index
    opens, document count as recorded.  Raises :class:`IndexCorruptError`."""
    verify_generation(gen, manifest)
    ix = _open_whoosh(gen)
    try:
        with ix.reader() as r:
            n = r.doc_count()
    except Exception as exc:
        raise IndexCorruptError(
            f"index {gen} cannot be read ({type(exc).__name__}: {exc}); "
            f"rebuild with: searchkz reindex --full --index {gen.parent}"
        ) from None
    expected = manifest.get("documents")
    if expected is not None and n != expected:
        raise IndexCorruptError(
            f"index {gen} holds {n} documents, its manifest says {expected}; "
            f"rebuild with: searchkz reindex --full --index {gen.parent}"
        )


def _write_manifest_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            with gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=6, mtime=0) as z:
                z.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk: no half-written leftover
        raise


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomic)."""
    _fsync_dir(gen)
    tmp = root / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)


def _new_generation_name() -> str:
    return f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}"


def cleanup(root: Path, keep_previous: bool = True) -> None:
    """Remove leftovers of killed reindexes and old generations (call with the lock held).

    The generation just before the live one is kept: a search that read
    ``CURRENT`` a moment before the swap may still be opening it.
    """
    try:
        live = current_generation(root)
    except IndexCorruptError:
        # CURRENT is damaged or names a missing generation: keep every
        # generation until a rebuilt one is published
        for p in root.glob(TMP_PREFIX + "*"):
            shutil.rmtree(p, ignore_errors=True)
        return
    gens = sorted(p for p in root.glob(GEN_PREFIX + "*") if p.is_dir())
    keep = {live.name} if live else set()
    if keep_previous and live is not None:
        older = [g for g in gens if g.name < live.name]
        if older:
            keep.add(older[-1].name)
    for p in list(root.glob(TMP_PREFIX + "*")) + gens:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(CURRENT + ".tmp"):
        p.unlink(missing_ok=True)


def _link_copy(src: Path, dst: Path) -> None:
    """Copy a Whoosh index folder as hard links (falls back to copies)."""
    dst.mkdir(parents=True)
    for p in src.iterdir():
        if p.name in _MANIFESTS or p.name.endswith(".tmp") or "LOCK" in p.name:
            continue
        try:
            os.link(p, dst / p.name)
        except OSError:
            shutil.copy2(p, dst / p.name)


# -- building ----------------------------------------------------------------


def _doc_fields(article) -> dict:
    """The fields ``writer.add_document`` gets for one article.

    Only what a search shows or filters on is stored: no folded terms (see
    docs/ARCHITECTURE.md), no per-document copies of the analyzer version or the
    content hash (the manifest has both), ``meta`` only when the article has any.
    """
    text = article.body
    doc = {
        "id": article.id,
        "source": article.outlet,  # the outlet (searchkz.outlet); the file is the manifest's key
        "title": article.title or "",
        "body": text,
        "exact": text,  # the same object: the analysis runs once for both fields
        "text": text,
    }
    if article.metadata:
        doc["meta"] = article.metadata
    if article.date is not None:
        doc["date"] = index_day(article.date)
        doc["_stored_date"] = article.date  # shown with its time
    return doc


def default_procs() -> int:
    env = os.environ.get("SEARCHKZ_PROCS")
    if env:
        return max(1, int(env))
    return max(1, min(os.cpu_count() or 1, 4))


def reindex(
    root: str | Path,
    corpus: str | Path,
    full: bool = False,
    procs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_problem: Callable[[object], None] | None = None,
    lock_timeout: float | None = None,
    _fail_after: int | None = None,
) -> ReindexStats:
    """Bring the index at ``root`` up to date with ``corpus``; see :meth:`searchkz.Index.reindex`.

    ``progress(done, total)`` is called as source files are processed;
    ``on_problem(problem)`` for every bad file or line (also collected in the
    stats).  ``_fail_after`` is for tests: raise after that many documents.
    """
    from searchkz import corpus as corpus_mod

    started = time.perf_counter()
    root = Path(root)
    corpus_root = Path(corpus)
    sources, problems = corpus_mod.list_sources(corpus_root)
    base = corpus_root if corpus_root.is_dir() else corpus_root.parent
    stats = ReindexStats(problems=list(problems))
    if on_problem:
        for p in problems:
            on_problem(p)
    with index_lock(root, lock_timeout):
        cleanup(root)
        try:
            live = current_generation(root)
        except IndexCorruptError as exc:  # damaged CURRENT, missing live generation
            live = None
            if not full:
                stats.rebuilt_because = _reason(exc)
        manifest = None
        if live is not None and not full:
            try:
                manifest = read_manifest(live)
                if manifest.get("analyzer_version") != ANALYZER_VERSION:
                    manifest = None  # another analyzer: rebuild, never mix
                    stats.rebuilt_because = "the index was built by another analyzer version"
                else:
                    check_generation(live, manifest)
            except IndexCorruptError as exc:
                manifest = None
                stats.rebuilt_because = _reason(exc)
        stats.full = manifest is None
        old_sources: dict = manifest["sources"] if manifest else {}
        new_sources: dict = {}
        tmp = root / (TMP_PREFIX + _new_generation_name()[len(GEN_PREFIX) :])

        def report_all(probs):  # problems found reading a file
            stats.problems.extend(probs)
            if on_problem:
                for p in probs:
                    on_problem(p)

        def read(src):
            arts, probs = corpus_mod.read_source(src, base)
            report_all(probs)
            return arts

        def report(problem):  # a problem found while indexing (a duplicate id)
            stats.problems.append(problem)
            if on_problem:
                on_problem(problem)

        read.report = report
        read.report_all = report_all
        gen = None
        free = shutil.disk_usage(root).free

        try:
            # id -> copy signature (searchkz.dedup), filled by the build as read.sigs
            sigs = read.sigs = {} if dedup.enabled() else None
            if stats.full:
                _build_full(tmp, sources, read, new_sources, stats, procs, progress, _fail_after)
            else:
                changed = _apply_incremental(
                    live, tmp, sources, old_sources, read, new_sources, stats, progress, _fail_after
                )
                if not changed:
                    shutil.rmtree(tmp, ignore_errors=True)
                    if new_sources != old_sources or "files" not in manifest:
                        manifest["sources"] = new_sources
                        manifest.setdefault("files", file_checksums(live))
                        manifest["last_reindex"] = _now()
                        _write_manifest_atomic(live / MANIFEST, manifest)
                    stats.documents = manifest.get("documents", 0)
                    stats.seconds = time.perf_counter() - started
                    return stats
            stats.documents = sum(len(v[2]) for v in new_sources.values())
            ix = _open_whoosh(tmp)
            with ix.reader() as r:
                found = r.doc_count()
            if found != stats.documents:
                raise SearchkzError(
                    f"index verification failed: {found} documents written, {stats.documents} expected; "
                    "the previous index is still live"
                )
            if stats.full and sigs is not None:
                dedup.save(tmp, sigs)
            elif not stats.full:
                dedup.update(live, tmp, sigs)
            new_manifest = {
                "format": 1,
                "analyzer_version": ANALYZER_VERSION,
                "corpus": str(corpus_root.resolve()),
                "created": manifest.get("created", _now()) if manifest else _now(),
                "last_reindex": _now(),
                "documents": stats.documents,
                "sources": new_sources,
                "files": file_checksums(tmp),
            }
            _write_manifest_atomic(tmp / MANIFEST, new_manifest)
            gen = root / _new_generation_name()
            os.rename(tmp, gen)
            _publish(root, gen)
            cleanup(root)
        except BaseException as exc:
            written = _remove_unpublished(root, tmp, gen)
            failure = _write_failure(exc, root, live, old_sources, sources, stats.full, written, free)
            if failure is not None:
                raise failure from None
            raise
    stats.seconds = time.perf_counter() - started
    return stats


def _remove_unpublished(root: Path, tmp: Path, gen: Path | None) -> int:
    """Remove a failed reindex's new generation (also once renamed, if never published);
    returns the bytes it had reached."""
    from searchkz.space import tree_bytes

    written = tree_bytes(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    if gen is not None and gen.exists():
        try:
            published = current_generation(root) == gen
        except SearchkzError:
            published = False
        if not published:
            written = max(written, tree_bytes(gen))
            shutil.rmtree(gen, ignore_errors=True)
    (root / (CURRENT + ".tmp")).unlink(missing_ok=True)
    return written


def _write_failure(exc, root: Path, live, old_sources: dict, sources, full: bool, written: int, free: int):
    """A :class:`SearchkzError` naming the index and the space needed when ``exc`` is a failed
    write (ENOSPC, EIO, ...), else None (:mod:`searchkz.space`)."""
    from searchkz.space import estimate_needed, write_errno, write_failure

    if write_errno(exc) is None:
        return None
    try:
        old = old_sources or (read_manifest(live).get("sources", {}) if live is not None else {})
    except SearchkzError:
        old = {}
    live_bytes = sum(v[1] for v in old.values())
    if full:
        new_bytes = sum(src.size for src in sources)
    else:
        new_bytes = sum(src.size for src in sources if list(old.get(src.relpath, [None, None])[:2]) != [src.mtime_ns, src.size])
    return write_failure(exc, root, estimate_needed(live, live_bytes, new_bytes), written, free)


def _reason(exc: Exception) -> str:
    """An error message without its ``; rebuild with: ...`` advice (the rebuild is happening)."""
    return str(exc).split("; rebuild with:")[0]


_RUN_CHUNK = 2048


def _chunked_posting_runs() -> None:
    """Make Whoosh's posting pools write their temporary sorted runs in pickled
    chunks of postings instead of one pickle per posting.

    Whoosh's writer (used by an incremental reindex; a full one writes its
    segments with :mod:`searchkz.segments`) spills sorted runs to temporary
    files when its postings outgrow ``limitmb`` and merges them at commit;
    Whoosh pickles and unpickles every posting separately, which cost 30-45%
    of the indexing CPU.  The runs are private to one writer and deleted after
    the merge, so their format is free; the index files written are
    unchanged.  Patched once, in this process.
    """
    import pickle

    from whoosh.writing import PostingPool

    if getattr(PostingPool, "_searchkz_chunked", False):
        return
    if not all(hasattr(PostingPool, name) for name in ("_write_run", "_read_run", "_open_run", "_remove_run")):
        return  # another Whoosh distribution: keep its own run format

    def _write_run(self, f, items):
        chunk = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= _RUN_CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)

    PostingPool._write_run = _write_run
    PostingPool._read_run = _read_run
    PostingPool._searchkz_chunked = True


# A JSONL file bigger than this is read by the parent and sent to the workers in
# batches of documents, so one big file is still indexed on every core.
_SPLIT_BYTES = 8 * 1024 * 1024
_BATCH_DOCS = 256


def _split(src) -> bool:
    return src.size > _SPLIT_BYTES and src.relpath.lower().endswith(".jsonl")


def _units(sources):
    """The work of a full build: ``("file", (i, 0, True))`` for source ``i``, read by
    a worker, or for a big JSONL file ``("batch", (i, part, last), items)``."""
    from searchkz import corpus as corpus_mod

    for i, src in enumerate(sources):
        if not _split(src):
            yield ("file", (i, 0, True))
            continue
        part, batch, prev = 0, [], None
        for item in corpus_mod.iter_source(src):
            batch.append(item)
            if len(batch) >= _BATCH_DOCS:
                if prev is not None:
                    yield ("batch", (i, part, False), prev)
                    part += 1
                prev, batch = batch, []
        if prev is not None and batch:
            yield ("batch", (i, part, False), prev)
            part += 1
            prev = batch
        yield ("batch", (i, part, True), prev if prev is not None else batch)


def _build_full(tmp, sources, read, new_sources, stats, procs, progress, fail_after):
    """Index every source into a new index at ``tmp`` (:mod:`searchkz.segments`: one
    or more segments per process); duplicate ids keep their first document in
    corpus order.  ``read.sigs``: filled with each document's copy signature (computed in
    the workers), or None."""
    from whoosh.index import create_in

    from searchkz import corpus as corpus_mod
    from searchkz.segments import build, commit_segments

    tmp.mkdir(parents=True)
    ix = create_in(str(tmp), make_schema(), indexname=WHOOSH_INDEXNAME)
    sigs = getattr(read, "sigs", None)
    procs = procs or default_procs()
    if not any(_split(s) for s in sources):
        procs = max(1, min(procs, len(sources)))  # a worker per file at most
    counted = 0

    def prepare(unit):
        nonlocal counted
        if unit[0] == "file":
            items = list(corpus_mod.iter_source(sources[unit[1][0]]))
        else:
            items = unit[2]
        docs, problems = [], []
        for item in items:
            if isinstance(item, corpus_mod.Article):
                sig = dedup.signature(item.body) if sigs is not None else None
                docs.append(((item.id, item.content_hash, sig), _doc_fields(item)))
            else:
                problems.append(item)
        if fail_after is not None:
            counted += len(docs)
            if counted >= fail_after:
                raise RuntimeError("simulated failure during reindex")
        return docs, problems

    placed_by_unit: dict = {}
    parts: dict[int, list] = {}  # source -> [parts done, parts in all (known with the last)]
    done_sources = 0

    def on_unit(unit_id, problems, placed):
        nonlocal done_sources
        i, part, last = unit_id
        placed_by_unit[(i, part)] = placed
        read.report_all(problems)
        p = parts.setdefault(i, [0, None])
        p[0] += 1
        if last:
            p[1] = part + 1
        if p[0] == p[1]:
            done_sources += 1
            if progress:
                progress(done_sources, len(sources))

    segments = build(ix, _units(sources), prepare, on_unit, procs=procs, init=partial(_worker_guard, os.getpid()))
    seen: set[str] = set()
    n = 0
    for i, src in enumerate(sources):
        hashes = {}
        for part in range(parts[i][1]):
            for (doc_id, h, sig), ref, docnum in placed_by_unit[(i, part)]:
                if doc_id in seen:
                    segments[ref].delete_document(docnum)
                    read.report(_dup_problem(src, doc_id))
                    continue
                seen.add(doc_id)
                if sigs is not None:
                    sigs[doc_id] = sig
                hashes[doc_id] = h
                n += 1
        new_sources[src.relpath] = [src.mtime_ns, src.size, hashes]
    commit_segments(ix, [segments[ref] for ref in sorted(segments)])
    stats.added = n


def _dup_problem(src, doc_id):
    from searchkz.corpus import Problem

    return Problem(src.relpath, f"duplicate document id {doc_id!r} (first one kept)", True)


def _apply_incremental(live, tmp, sources, old_sources, read, new_sources, stats, progress, fail_after) -> bool:
    """Write the changes into ``tmp`` (a linked copy of ``live``); False when nothing changed.
    ``read.sigs``: filled with the copy signature of each added or updated id and None for
    each deleted one (or None: detection off)."""
    sigs = getattr(read, "sigs", None)
    writer = None
    ix = None
    seen_paths = set()
    # ids owned by files that did not change keep their place
    kept_ids: set[str] = set()
    todo = []
    for src in sources:
        seen_paths.add(src.relpath)
        old = old_sources.get(src.relpath)
        if old is not None and old[0] == src.mtime_ns and old[1] == src.size:
            new_sources[src.relpath] = old
            kept_ids.update(old[2])
            stats.unchanged += len(old[2])
        else:
            todo.append(src)
    removed_paths = [p for p in old_sources if p not in seen_paths]
    old_owner = {doc_id: path for path, v in old_sources.items() for doc_id in v[2]}
    n = 0

    def get_writer():
        nonlocal writer, ix
        if writer is None:
            _link_copy(live, tmp)
            ix = _open_whoosh(tmp)
            _chunked_posting_runs()
            from searchkz.segments import make_codec
            from searchkz.updates import UpdateWriter

            writer = UpdateWriter(ix, limitmb=128, codec=make_codec())
        return writer

    try:
        written_ids: set[str] = set()
        for i, src in enumerate(todo):
            arts = read(src)
            old = old_sources.get(src.relpath, [0, 0, {}])
            old_hashes = old[2]
            hashes = {}
            for art in arts:
                if art.id in kept_ids or art.id in written_ids:
                    read.report(_dup_problem(src, art.id))
                    continue
                written_ids.add(art.id)
                h = art.content_hash
                hashes[art.id] = h
                prev_path = old_owner.get(art.id)
                prev_hash = old_sources[prev_path][2].get(art.id) if prev_path else None
                if prev_hash == h:
                    stats.unchanged += 1
                    if prev_path != src.relpath:
                        pass  # moved between files: same content, nothing to write
                    continue
                w = get_writer()
                if sigs is not None:
                    sigs[art.id] = dedup.signature(art.body)
                if prev_hash is None:
                    w.add_document(**_doc_fields(art))
                    stats.added += 1
                else:
                    w.update_document(**_doc_fields(art))
                    stats.updated += 1
                n += 1
                if fail_after is not None and n >= fail_after:
                    raise RuntimeError("simulated failure during reindex")
            for doc_id in old_hashes:
                if doc_id not in hashes and doc_id not in written_ids:
                    get_writer().delete_by_term("id", doc_id)
                    stats.deleted += 1
                    if sigs is not None:
                        sigs[doc_id] = None
            new_sources[src.relpath] = [src.mtime_ns, src.size, hashes]
            if progress:
                progress(i + 1, len(todo))
        for path in removed_paths:
            for doc_id in old_sources[path][2]:
                if doc_id in written_ids:
                    continue  # it moved to another file and was handled there
                get_writer().delete_by_term("id", doc_id)
                stats.deleted += 1
                if sigs is not None:
                    sigs[doc_id] = None
        if writer is not None:
            writer.commit()
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    return writer is not None


def _open_whoosh(gen: Path):
    """The Whoosh index of a generation.  Read through file reads, not mmap: Whoosh
    wraps each file of an mmapped segment in a ``BytesIO``, which copies it, so a
    reader of a 100k-article index took 0.9 s and 800 MB to open (0.05 s, 23 MB
    without)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    try:
        return FileStorage(str(gen), supports_mmap=False).open_index(WHOOSH_INDEXNAME)
    except EmptyIndexError:
        raise IndexCorruptError(
            f"no index in {gen}; rebuild with: searchkz reindex --full --index {gen.parent}"
        ) from None
    except Exception as exc:  # whoosh raises many kinds for damaged files
        raise IndexCorruptError(
            f"index {gen} cannot be opened ({type(exc).__name__}: {exc}); "
            f"rebuild with: searchkz reindex --full --index {gen.parent}"
        ) from None


def open_generation(root: str | Path):
    """Open the live generation: ``(whoosh_index, generation_path, manifest)``."""
    root = Path(root)
    gen = current_generation(root)
    if gen is None:
        raise IndexNotFoundError(f"no index at {root}; build it with: searchkz reindex --index {root}")
    version = manifest_analyzer_version(gen)
    if version != ANALYZER_VERSION:
        raise IndexVersionError(
            f"the index at {root} was built by analyzer {version!r}, "
            f"this searchkz uses {ANALYZER_VERSION!r}; rebuild it with: searchkz reindex --full --index {root}"
        )
    return _open_whoosh(gen), gen, LazyManifest(gen)
