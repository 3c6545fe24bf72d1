"""Terminal output (rich) and JSON Lines for search results and articles."""

from __future__ import annotations

import json
import os
import sys
from typing import Iterable, TextIO

HIGHLIGHT_STYLE = "bold black on yellow"

# Control characters but tab and newline (C0, DEL, C1): an archive's text could move the cursor,
# clear the screen or retitle the window (ESC sequences) when printed as it is.  Each becomes
# U+FFFD, one character for one, so the highlights' offsets still hold.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)], "\ufffd")


def terminal_safe(text: str) -> str:
    """``text`` with the control characters a terminal would act on replaced (:data:`_CONTROLS`)."""
    return text.translate(_CONTROLS)


def use_color(mode: str, stream: TextIO) -> bool:
    """``--color auto|always|never``; auto = a terminal and no ``NO_COLOR``."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def make_console(color: bool, stream: TextIO | None = None):
    from rich.console import Console

    return Console(
        file=stream or sys.stdout,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=not color,
        width=None if color else 10_000,
    )


def styled(text: str, spans: Iterable[tuple[int, int]], base: str = ""):
    from rich.text import Text

    t = Text(terminal_safe(text), style=base)
    for s, e in spans:
        t.stylize(HIGHLIGHT_STYLE, s, e)
    return t


def format_date(d) -> str:
    if d is None:
        return "—"
    if d.hour or d.minute:
        return d.strftime("%Y-%m-%d %H:%M")
    return d.strftime("%Y-%m-%d")


def print_hits(result, console, color: bool) -> None:
    """Print ranked hits: rank, title, date, id, score, snippet with highlights."""
    from rich.text import Text

    for hit in result:
        title = hit.title or "(untitled)"
        head = Text(f"{hit.rank:>2}. ", style="bold")
        head.append_text(styled(title, hit.title_highlights, "bold cyan" if color else ""))
        console.print(head)
        outlet = f"{hit.source} · " if hit.source else ""
        meta = Text(terminal_safe(f"    {format_date(hit.date)} · {outlet}{hit.id} · score {hit.score:.2f}"),
                    style="dim" if color else "")
        console.print(meta)
        if hit.snippet:
            snip = Text("    ")
            snip.append_text(styled(hit.snippet, hit.highlights))
            console.print(snip)
        if hit.copies:
            console.print(Text(terminal_safe(f"    {copies_line(hit.copies)}"), style="yellow" if color else ""))
        console.print()


def copies_line(copies: list[str], shown: int = 5) -> str:
    """``+N copies: id, id, …`` (the first ``shown`` ids)."""
    more = f", … {len(copies) - shown} more" if len(copies) > shown else ""
    return f"+{len(copies)} {'copy' if len(copies) == 1 else 'copies'}: {', '.join(copies[:shown])}{more}"


def hits_to_jsonl(result, out: TextIO) -> None:
    """One JSON object per hit, then a summary object."""
    for hit in result:
        out.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
    summary = {
        "type": "summary",
        "query": result.query,
        "hits": len(result),
        "total": result.total,
        "groups": getattr(result, "groups", result.total),
        "offset": getattr(result, "offset", 0),
        "suggestion": result.suggestion,
        "seconds": round(result.seconds, 4),
        "notices": list(getattr(result, "notices", [])),
        "partial": bool(getattr(result, "partial", False)),
    }
    out.write(json.dumps(summary, ensure_ascii=False) + "\n")


def print_document(doc, spans, console, color: bool, similar=()) -> None:
    """A whole article; then its copies and the articles most like it (``similar``: hits)."""
    from rich.text import Text

    console.print(styled(doc.title or "(untitled)", (), "bold cyan" if color else ""))
    outlet = f" · {doc.source}" if doc.source else ""
    console.print(styled(f"{format_date(doc.date)} · {doc.id}{outlet}", (), "dim" if color else ""))
    console.print()
    console.print(styled(doc.text, spans))
    if getattr(doc, "copies", None):
        console.print()
        console.print(styled(copies_line(doc.copies, shown=20), (), "yellow" if color else ""))
    if similar:
        console.print()
        console.print(Text("Similar articles:", style="bold" if color else ""))
        for hit in similar:
            console.print(styled(f" {hit.rank}. {hit.title or '(untitled)'} · {format_date(hit.date)} · {hit.id}", ()))


def print_facets(facets, console, color: bool, width: int = 40) -> None:
    """Counts per period or outlet as a bar chart; articles without a date (or, per outlet, without
    an outlet) on their own line."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(justify="left", no_wrap=True)
    table.add_column(justify="right")
    table.add_column(justify="left", no_wrap=True)
    top = max((c for _k, c in facets.buckets), default=0)
    for key, count in facets.buckets:
        n = round(width * count / top) if top else 0
        bar = "█" * n if n or not count else "▏"
        table.add_row(terminal_safe(key), str(count), Text(bar, style="cyan" if color else ""))
    if facets.by != "source":
        table.add_row("undated", str(facets.undated), Text("(no date)", style="dim" if color else ""))
    elif facets.no_source:
        table.add_row("no outlet", str(facets.no_source), Text("(no source)", style="dim" if color else ""))
    console.print(table)


def facets_to_json(facets, query: str, out: TextIO) -> None:
    """The facets as one JSON object (with the query)."""
    out.write(json.dumps({**facets.to_dict(), "query": query}, ensure_ascii=False) + "\n")
