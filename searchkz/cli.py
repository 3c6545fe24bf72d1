"""The ``searchkz`` command: a thin layer over :mod:`searchkz.api`.

Exit status: 0 = found / done, 1 = no hits, 2 = error (one line on stderr).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from searchkz import __version__

# numpy's OpenBLAS starts a thread a core when numpy is imported: ~60 ms of a one-shot search.
# searchkz does no linear algebra, so one thread does (a user's own setting wins).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

COLOR_CHOICE = click.Choice(["auto", "always", "never"])


class UserError(click.ClickException):
    """A one-line error with exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"searchkz: error: {self.format_message()}", err=True)


def _fail(exc: Exception):
    raise UserError(str(exc)) from None


def index_option(f):
    return click.option(
        "--index",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index folder [default: $SEARCHKZ_INDEX or ./index].",
    )(f)


def corpus_option(f):
    return click.option(
        "--corpus",
        type=click.Path(path_type=Path),
        default=None,
        help="Corpus folder or .jsonl/.txt file [default: $SEARCHKZ_CORPUS or ./corpus].",
    )(f)


def _index(index_path):
    from searchkz.api import Index

    return Index(index_path)


def _problem_printer(quiet: bool = False):
    from searchkz.render import terminal_safe

    def on_problem(p):
        if not quiet or p.fatal:
            kind = "skipped" if p.fatal else "warning"
            click.echo(terminal_safe(f"searchkz: {kind}: {p.source}: {p.reason}"), err=True)

    return on_problem


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchkz")
def main() -> None:
    """Full-text search for Kazakh text: inflection-, keyboard- and script-aware."""


@main.command()
@click.argument("query", required=False)
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 10_000), help="Number of hits.")
@click.option("--since", default=None, help="Only articles dated on or after DATE (YYYY-MM-DD).")
@click.option("--until", default=None, help="Only articles dated on or before DATE.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per hit, then a summary.")
@click.option("--color", type=COLOR_CHOICE, default="auto", show_default=True, help="Colour and highlighting.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True,
              help="Order: by relevance, oldest first (date) or newest first (-date).")
@click.option("--page", type=click.IntRange(1, 1_000_000), default=1, show_default=True, help="Page of --limit hits.")
@click.option("--all", "show_all", is_flag=True, help="Show every copy of a reprinted article (not one per group).")
@click.option("--source", default=None, help="Only articles from this outlet (e.g. baq.kz).")
@click.option("--topics", type=click.Path(dir_okay=False, path_type=Path), help="Batch: a TSV of qid<TAB>query.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "trec"]), default=None, help="Output format (trec for --topics)."
)
@click.option("--timeout", type=float, default=None,
              help="Time budget in seconds [default: 1]; past it the search stops, prints what it found and exits 2.")
@index_option
@corpus_option
def search(query, limit, since, until, as_json, color, sort, page, show_all, source, topics, fmt, index_path, corpus,
           timeout):
    """Search the index for QUERY and print ranked, highlighted hits.

    QUERY is free text ("қоғамдық кеңес", a whole question) or Whoosh syntax:
    AND/OR/NOT, "a phrase", title:word, word~ (typos), date:[2019 to 2020].
    If the index does not exist yet it is built from the corpus first.
    """
    from searchkz.errors import SearchkzError

    ix = _index(index_path)
    try:
        if not ix.exists():
            click.echo(f"searchkz: no index at {ix.path}; building it from the corpus first…", err=True)
            stats = ix.reindex(corpus, on_problem=_problem_printer(quiet=True))
            click.echo(f"searchkz: {stats.summary()}", err=True)
        if topics is not None:
            _batch(ix, topics, limit, fmt or "trec")
            return
        if query is None:
            raise UserError("missing QUERY (or --topics FILE)")
        result = ix.search(query, limit=limit, since=since, until=until, offset=(page - 1) * limit, sort=sort,
                           source=source, collapse=not show_all, timeout=timeout)
    except SearchkzError as exc:
        _fail(exc)
    if as_json or fmt == "json":
        from searchkz.render import hits_to_jsonl

        hits_to_jsonl(result, sys.stdout)
    else:
        from searchkz.render import make_console, print_hits, use_color

        colored = use_color(color, sys.stdout)
        console = make_console(colored)
        print_hits(result, console, colored)
        if result.suggestion:
            click.echo(f"Did you mean: {result.suggestion}", err=True)
        for notice in result.notices[:-1] if result.partial else result.notices:
            click.echo(f"searchkz: note: {notice}", err=True)
        first = f"{result.offset + 1}-{result.offset + len(result)}" if result.offset and len(result) else f"{len(result)}"
        copies = f", {result.total} with copies" if result.groups != result.total else ""
        click.echo(f"{first} of {result.groups} hits{copies} ({result.seconds * 1000:.0f} ms)", err=True)
    if result.partial:  # the time budget ran out: one line, exit 2
        raise UserError(result.notices[-1])
    sys.exit(0 if len(result) else 1)


def _batch(ix, topics: Path, limit: int, fmt: str) -> None:
    from searchkz.bench.trec import read_topics, write_run

    try:
        queries = read_topics(topics)
    except OSError as exc:
        raise UserError(f"cannot read {topics}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(f"cannot read {topics}: not UTF-8 text (a TSV of qid<TAB>query)") from None
    write_run(ix, queries, sys.stdout, limit=limit, fmt=fmt)


@main.command()
@corpus_option
@index_option
@click.option("--full", is_flag=True, help="Rebuild from scratch (beside the live index, then swap).")
@click.option("--procs", type=click.IntRange(1, 64), default=None, help="Indexing processes [default: cores].")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary and skipped files.")
def reindex(corpus, index_path, full, procs, quiet):
    """Bring the index up to date with the corpus (incremental unless --full)."""
    from searchkz.errors import SearchkzError

    ix = _index(index_path)
    progress = None
    bar = None
    if sys.stderr.isatty() and not quiet:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("indexing", total=None)

        def progress(done, total):
            bar.update(task, completed=done, total=total)

    try:
        stats = ix.reindex(corpus, full=full, procs=procs, progress=progress, on_problem=_problem_printer(quiet))
    except SearchkzError as exc:
        _fail(exc)
    finally:
        if bar is not None:
            bar.stop()
    click.echo(f"searchkz: {stats.summary()}", err=True)


@main.command()
@click.argument("doc_id")
@click.option("--query", "-q", default=None, help="Highlight this query's matches.")
@click.option("--color", type=COLOR_CHOICE, default="auto", show_default=True)
@index_option
def show(doc_id, query, color, index_path):
    """Print one whole article (DOC_ID as shown in search results)."""
    from searchkz.errors import SearchkzError
    from searchkz.render import make_console, print_document, use_color

    ix = _index(index_path)
    try:
        doc = ix.get(doc_id)
        if doc is None:
            raise UserError(f"no article with id {doc_id!r} in {ix.path}")
        spans = ix.highlight(doc.text, query) if query else []
        similar = ix.similar(doc_id, limit=3)
    except SearchkzError as exc:
        _fail(exc)
    colored = use_color(color, sys.stdout)
    print_document(doc, spans, make_console(colored), colored, similar)


@main.command()
@click.argument("doc_id")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Number of articles.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines: one object per article, then a summary.")
@click.option("--color", type=COLOR_CHOICE, default="auto", show_default=True)
@index_option
def similar(doc_id, limit, as_json, color, index_path):
    """The articles most similar to DOC_ID (its copies excluded)."""
    from searchkz.api import SearchResult
    from searchkz.errors import SearchkzError

    ix = _index(index_path)
    try:
        hits = ix.similar(doc_id, limit=limit)
    except SearchkzError as exc:
        _fail(exc)
    result = SearchResult(hits, total=len(hits), query=doc_id)
    if as_json:
        from searchkz.render import hits_to_jsonl

        hits_to_jsonl(result, sys.stdout)
    else:
        from searchkz.render import make_console, print_hits, use_color

        colored = use_color(color, sys.stdout)
        print_hits(result, make_console(colored), colored)
    sys.exit(0 if hits else 1)


@main.command()
@click.argument("query")
@click.option("--by", type=click.Choice(["day", "week", "month", "year", "source"]), default="month", show_default=True,
              help="Count per period, or per outlet.")
@click.option("--since", default=None, help="Only articles dated on or after DATE (YYYY-MM-DD).")
@click.option("--until", default=None, help="Only articles dated on or before DATE.")
@click.option("--source", default=None, help="Only articles from this outlet.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--color", type=COLOR_CHOICE, default="auto", show_default=True)
@index_option
def timeline(query, by, since, until, source, as_json, color, index_path):
    """How many articles match QUERY per period, as a bar chart (undated ones counted apart)."""
    from searchkz.errors import SearchkzError

    ix = _index(index_path)
    try:
        facets = ix.facets(query, by=by, since=since, until=until, source=source)
    except SearchkzError as exc:
        _fail(exc)
    if as_json:
        from searchkz.render import facets_to_json

        facets_to_json(facets, query, sys.stdout)
    else:
        from searchkz.render import make_console, print_facets, use_color

        colored = use_color(color, sys.stdout)
        print_facets(facets, make_console(colored), colored)
        for notice in facets.notices:
            click.echo(f"searchkz: note: {notice}", err=True)
        click.echo(f"{facets.total} matching articles", err=True)
    sys.exit(0 if facets.total else 1)


@main.command(name="eval")
@index_option
@click.option("--topics", required=True, type=click.Path(dir_okay=False, path_type=Path), help="qid<TAB>query file.")
@click.option("--qrels", required=True, type=click.Path(dir_okay=False, path_type=Path), help="TREC qrels.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="A TREC run to compare with, per query.")
def eval_(index_path, topics, qrels, baseline):
    """Run TOPICS against the index and print MRR@10, nDCG@10, Recall@100 (trec_eval definitions)."""
    from searchkz.bench.eval import evaluate_index, format_comparison
    from searchkz.errors import SearchkzError

    try:
        out = evaluate_index(_index(index_path).path, topics, qrels, baseline)
    except (OSError, ValueError) as exc:
        raise UserError(str(exc)) from None
    except SearchkzError as exc:
        _fail(exc)
    click.echo(format_comparison(out))


@main.command()
@click.argument("text")
def analyze(text):
    """Print each token of TEXT with its normalized form and stem."""
    from searchkz.analysis import analyze as run

    for t in run(text):
        stop = "  (stop word)" if t.stop else ""
        also = ("\t= " + "; ".join(t.expands)) if t.expands else ""  # an acronym's full names, a full name's acronym
        click.echo(f"{t.text}\t{t.normalized}\t{t.stem}\t{t.folded}\t{t.lang}{stop}{also}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@index_option
def stats(as_json, index_path):
    """Show documents, terms, size, analyzer version and last reindex."""
    import json

    from searchkz.errors import SearchkzError

    try:
        info = _index(index_path).stats()
    except SearchkzError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    for key, value in info.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        click.echo(f"{key:>16}: {value}")


@main.command()
@index_option
def check(index_path):
    """Verify that the index opens and every stored document is readable."""
    from searchkz.errors import SearchkzError

    ix = _index(index_path)
    try:
        problems = ix.check()
        n = ix.doc_count()
    except SearchkzError as exc:
        _fail(exc)
    for p in problems:
        click.echo(f"searchkz: {p}", err=True)
    if problems:
        sys.exit(2)
    click.echo(f"ok: {n} documents readable in {ix.path}")


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Search processes (each opens the index; a request goes to the first free one).")
def serve(index_path, host, port, workers):
    """Serve the search page and the JSON API over HTTP (read-only)."""
    from searchkz.errors import SearchkzError
    from searchkz.server import serve as run_server

    try:
        run_server(index_path, host=host, port=port, workers=workers, echo=lambda line: click.echo(line, err=True))
    except SearchkzError as exc:
        _fail(exc)


def run() -> None:
    """Entry point: quiet broken pipes (``searchkz search … | head``), and a quick exit (:func:`_exit`)."""
    try:
        _run()
    except SystemExit as done:
        _exit(done.code)


def _exit(code) -> None:
    """End the process once its output is flushed, without freeing its objects one by one (the
    stemmer's tables, the index's term lists: a visible share of a one-shot search's time).  A
    process that started others (a reindex's workers, ``serve``) exits the usual way, which
    joins them."""
    if "multiprocessing" in sys.modules or not (code is None or isinstance(code, int)):
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be written
            pass
    os._exit(code or 0)


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # (click 8.2 and later)


def _run() -> None:
    try:
        code = main(standalone_mode=False)  # (click's own errors handled below: one line each)
    except _NO_ARGS_IS_HELP as exc:  # plain ``searchkz``: the help, as click shows it
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # a bad option or argument: one line, not click's usage block
        click.echo(f"searchkz: error: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        click.echo("searchkz: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        sys.exit(0)
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("SEARCHKZ_DEBUG"):
            raise
        click.echo(f"searchkz: error: {type(exc).__name__}: {exc} (set SEARCHKZ_DEBUG=1 for details)", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
