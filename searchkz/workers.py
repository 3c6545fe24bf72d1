"""Where the server's requests meet the index: a pool of workers, each with its own
:class:`~searchkz.api.Index`, taking the requests first come, first served."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from searchkz.api import Index


class Indexes:
    """Where requests meet the index: ``fn(index, *args)`` computed by a pool of workers, the
    requests queued first come first served and each taken by the first free worker (``await
    run(fn, ...)`` from an endpoint, ``call(fn, ...)`` from any other thread).

    The workers are ``threads`` threads, each with its own :class:`Index` (a Whoosh searcher and
    the ranker's caches are not known to be thread-safe; one thread, "lock" access, shares one),
    or ``processes`` processes (``serve --workers``), each with its own ``Index``, ``fn`` then a
    module-level function.  Processes, not uvicorn's workers: those share out connections, so a
    kept-alive connection waits on its process while the other may be idle (docs/ARCHITECTURE.md)."""

    def __init__(self, path, threads: int = 1, processes: int = 0) -> None:
        self.path = path
        self.processes = processes
        self._local = threading.local()
        self._pool_lock = threading.Lock()
        self.pool = self._process_pool() if processes else ThreadPoolExecutor(threads, thread_name_prefix="searchkz-index")

    def _process_pool(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_process_init, initargs=(self.path, os.getpid()))
        pool.submit(_in_process, doc_count)  # (forks them all now: before the server starts its threads)
        return pool

    def _apply(self, fn, *args):
        ix = getattr(self._local, "index", None)
        if ix is None:
            ix = self._local.index = Index(self.path)
        return fn(ix, *args)

    def _submit(self, fn, args):
        if not self.processes:
            return self.pool.submit(self._apply, fn, *args)
        pool = self.pool
        try:
            return pool.submit(_in_process, fn, *args)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool, once
            self._renew(pool)
            return self.pool.submit(_in_process, fn, *args)

    def _renew(self, broken) -> None:
        with self._pool_lock:
            if self.pool is broken:
                self.pool = self._process_pool()
                broken.shutdown(wait=False)

    def call(self, fn, *args):
        return self._submit(fn, args).result()

    async def run(self, fn, *args):
        pool = self.pool
        try:
            return await asyncio.wrap_future(self._submit(fn, args))
        except BrokenProcessPool:  # the worker died while on this request: once more on a new pool
            self._renew(pool)
            return await asyncio.wrap_future(self._submit(fn, args))


_process_index: Index | None = None  # a worker process's Index (Indexes with processes)


def _process_init(path, parent: int) -> None:
    """A worker process: its Index opened; Ctrl+C left to the server, which stops the workers;
    gone when the server is (a killed server cannot stop them); none of the server's sockets kept."""
    global _process_index
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _close_sockets()

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()
    _process_index = Index(path)
    try:
        _process_index.doc_count()  # (opened now, not by the first search)
    except Exception:
        pass  # the request that needs it reports the problem


def _close_sockets() -> None:
    """Close the sockets a forked worker inherited: one forked to replace a dead worker while the
    server runs would otherwise hold the listening socket and the clients' connections open (a
    connection the server closed would stay open for its client).  The pool talks over pipes."""
    gc.freeze()  # (the server's objects are never collected here: none closes a number reused since)
    folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    for name in os.listdir(folder):
        try:
            fd = int(name)
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except (ValueError, OSError):
            continue


def _in_process(fn, *args):
    return fn(_process_index, *args)


def doc_count(ix: Index) -> int:
    """The number of documents (the health check, and what opens an index ahead of its first search)."""
    return ix.doc_count()

