"""Two processes rank one query: each reads and scores the segments of its slice.

At 100k articles a common query word matches tens of thousands of documents,
and reading and scoring its postings is pure Python: one core's work per query
(see README, Measurements).  As Lucene's ``IndexSearcher`` searches slices of
an index's segments on an executor, a long-lived :class:`~searchkz.api.Index`
over a large index with several segments (a reindex with ``procs`` processes
writes one segment each) ranks the usual short list in two processes:

1. the parent plans each query word once (:meth:`~searchkz.rank.Ranker.plans`:
   its readings and prefix net over the whole vocabulary) and sends the plans;
2. each process reads the lists in its slice of the segments and counts each
   word's documents there (:meth:`~searchkz.rank.Ranker.slice_read`); the
   counts add up over disjoint slices to the whole index's, and so do the IDFs;
3. each process finds its slice's k best with those IDFs
   (:meth:`~searchkz.rank.Ranker.slice_top`); the k best of the two lists are
   the k best of the index, with the same scores, in the same order (a
   document's score depends only on its own postings and the whole index's
   statistics: tests/test_parallel.py compares them bit for bit).

Half of the title boost's titles and half of the hits' snippets are made in the
worker too; everything else stays in the parent.  The worker is forked only
once an :class:`~searchkz.api.Index` has answered a search (a one-shot
``searchkz search`` never forks) and opens the generation each request names
itself (never the parent's file handles); when a reindex swaps the generation
the parent stops it and forks another.  If it fails, hangs or dies, the query
is ranked in the parent alone and the worker is not used again.
"""

from __future__ import annotations

import multiprocessing
import os
import threading

#: Index size (documents) from which a query is ranked in two processes.
SPLIT_MIN_DOCS = 5_000  # measured: 5k articles p50 11.8-14.6 -> 8.6 ms, 10k 14.5-17.2 -> 10.7 ms
#: Seconds to wait for the worker's answer before ranking in the parent alone.
TIMEOUT = 30.0


def can_fork() -> bool:
    """Is there a second core and a ``fork`` start method (Linux, macOS), and no other thread
    (a forked child has only the forking thread: a lock another one held would stay locked)?"""
    return ((os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def split_point(doc_counts: list[int], min_docs: int | None = None) -> int | None:
    """Where to cut the segments (their document counts, in the reader's order) into two slices
    of about the same size: ``m`` (the parent reads the first ``m``, the worker the rest), or
    None when the index is too small or one slice would hold under a quarter of it."""
    total = sum(doc_counts)
    if total < (SPLIT_MIN_DOCS if min_docs is None else min_docs) or len(doc_counts) < 2:
        return None
    best, best_gap = None, None
    head = 0
    for m in range(1, len(doc_counts)):
        head += doc_counts[m - 1]
        gap = abs(total - 2 * head)
        if best_gap is None or gap < best_gap:
            best, best_gap = m, gap
    head = sum(doc_counts[:best])
    if min(head, total - head) * 4 < total:
        return None
    return best


def segment_ids(reader) -> list[str]:
    """The ids of a reader's segments, in its order (how the two processes check they agree)."""
    out = []
    for sub, _offset in reader.leaf_readers():
        seg = getattr(sub, "_segment", None)
        out.append(seg.segment_id() if seg is not None and hasattr(seg, "segment_id") else "?")
    return out


def _plan_of(terms):
    """A plan with only the terms to highlight (``(stems, exact, folded)``, or None)."""
    from searchkz.search import QueryPlan

    return None if terms is None else QueryPlan(query=None, stems=set(terms[0]), exact=set(terms[1]), folded=set(terms[2]))


class WorkerError(Exception):
    """The worker failed, hung or died."""


def _serve(conn, parent_end) -> None:
    """The worker's loop.  Every request is ``(op, (generation, m, segment ids), …)``: the
    segments from ``m`` on of that generation (opened when it is another than the last one's).
    ``read`` plans, params → ``slice_read``; ``top`` counts, k → ``slice_top`` of the plans read;
    ``cover`` docs, terms; ``hits`` docs, terms.  It ends when the parent says so or is gone
    (its end of the pipe closed: this process must not hold it open too)."""
    import signal
    from pathlib import Path

    from searchkz.index import _open_whoosh
    from searchkz.rank import Ranker
    from searchkz.search import hit_fields

    parent_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    where = None
    searcher = ranker = None
    plans = params = None
    while True:
        try:
            msg = conn.recv()
        except Exception:  # the parent is gone (EOFError), or a message that cannot be read
            break
        if msg is None:
            break
        try:
            op, at, *args = msg
            if at != where:
                if searcher is not None:
                    searcher.close()
                    searcher = ranker = plans = None
                where = None
                g, m, ids = at
                searcher = _open_whoosh(Path(g)).searcher()
                seg_ids = segment_ids(searcher.reader())
                if seg_ids[m:] != list(ids):
                    raise WorkerError(f"the worker sees other segments in {g}")
                ranker = Ranker(searcher, leaves=list(range(m, len(seg_ids))))
                where = at
            if op == "read":
                plans, params = args
                answer = ranker.slice_read(plans, params)
            elif op == "top":
                counts, k = args
                answer = ranker.slice_top(plans, counts, k, params)
            elif op == "cover":
                docs, terms = args
                answer = ranker.cover(docs, terms)
            elif op == "hits":
                docs, terms = args
                plan = _plan_of(terms)
                answer = [hit_fields(searcher, d, plan) for d in docs]
            else:
                raise WorkerError(f"unknown request {op!r}")
            conn.send(("ok", answer))
        except Exception as exc:  # told to the parent, which ranks alone from then on
            try:
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
            except Exception:
                break


class SliceWorker:
    """A forked process that ranks the second slice of an index's segments."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self._conn), daemon=True, name="searchkz-slice")
        self._proc.start()
        child.close()

    def send(self, msg) -> None:
        try:
            self._conn.send(msg)
        except Exception as exc:
            raise WorkerError(f"cannot reach the worker: {exc}") from None

    def recv(self, timeout: float = TIMEOUT):
        try:
            if not self._conn.poll(timeout):
                raise WorkerError(f"no answer from the worker in {timeout:g} s")
            status, answer = self._conn.recv()
        except WorkerError:
            raise
        except Exception as exc:
            raise WorkerError(f"the worker is gone: {exc}") from None
        if status != "ok":
            raise WorkerError(answer)
        return answer

    def close(self) -> None:
        try:
            self._conn.send(None)
        except Exception:
            pass
        self._proc.join(1.0)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(1.0)
        try:
            self._conn.close()
        except Exception:
            pass


class Splitter:
    """Ranks a query's short list over two slices of one generation's segments (the parent's
    slice here, the rest in a :class:`SliceWorker`); ``None`` from a call: rank it alone."""

    def __init__(self, worker: SliceWorker, searcher, generation: str, m: int) -> None:
        from searchkz.rank import Ranker

        self.worker = worker
        self.generation = generation
        self.m = m
        self.ids = tuple(segment_ids(searcher.reader())[m:])
        self.at = (generation, m, self.ids)  # what the worker is to open
        self.local = Ranker(searcher, leaves=list(range(m)))
        self.failed: str | None = None
        self._pid = os.getpid()  # a process forked from this one must not talk to its worker
        self._lock = threading.Lock()  # one exchange with the worker at a time

    def usable(self) -> bool:
        return not self.failed and os.getpid() == self._pid

    def __call__(self, ranker, words, k: int, params):
        if not self.usable():
            return None
        with self._lock:
            return self._top(ranker, words, k, params)

    def _top(self, ranker, words, k: int, params):
        try:
            plans = ranker.plans(words, params)
            self.worker.send(("read", self.at, plans, params))
            mine = self.local.slice_read(plans, params)
            theirs = self.worker.recv()
            counts = [(a + c, b + d) for (a, b), (c, d) in zip(mine, theirs)]
            self.worker.send(("top", self.at, counts, k))
            ranked, scores, total = self.local.slice_top(plans, counts, k, params)
            other, other_scores, other_total = self.worker.recv()
        except Exception as exc:  # the parent ranks alone from now on (and reports a real error itself)
            self.failed = f"{type(exc).__name__}: {exc}"
            return None
        scores.update(other_scores)
        best = sorted(ranked + other, key=lambda x: (-x[1], x[0]))[:k]
        return best, scores, total + other_total

    def _halves(self, op: str, items: list, terms, mine):
        """``mine`` of the first half of ``items`` here while the worker does ``op`` on the
        second: the two answers in order (None: the worker failed; do it all here)."""
        if not self.usable() or len(items) < 2:
            return None
        half = (len(items) + 1) // 2
        with self._lock:
            try:
                self.worker.send((op, self.at, items[half:], terms))
                here = mine(items[:half])
                there = self.worker.recv()
            except Exception as exc:
                self.failed = f"{type(exc).__name__}: {exc}"
                return None
        return here, there

    def cover(self, ranker, docs: list[int], terms: tuple) -> dict[int, float] | None:
        """:meth:`~searchkz.rank.Ranker.cover` of ``docs``, half of them in the worker."""
        got = self._halves("cover", docs, terms, lambda part: ranker.cover(part, terms))
        if got is None:
            return None
        here, there = got
        here.update(there)
        return here

    def hits(self, searcher, docs: list[int], plan) -> list | None:
        """:func:`~searchkz.search.hit_fields` of ``docs``, in order, half of them made in the worker."""
        from searchkz.search import hit_fields

        terms = None if plan is None else (frozenset(plan.stems), frozenset(plan.exact), frozenset(plan.folded))
        got = self._halves("hits", docs, terms, lambda part: [hit_fields(searcher, d, plan) for d in part])
        return None if got is None else got[0] + got[1]
