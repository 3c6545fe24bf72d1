"""Terminal output (rich) and JSON Lines for search results and articles."""

from __future__ import annotations

import json
import os
import sys
from typing import Iterable, TextIO

HIGHLIGHT_STYLE = "bold black on yellow"


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

    t = Text(text, style=base)
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
        meta = Text(f"    {format_date(hit.date)} · {hit.id} · score {hit.score:.2f}", style="dim" if color else "")
        console.print(meta)
        snip = Text("    ")
        snip.append_text(styled(hit.snippet, hit.highlights))
        console.print(snip)
        console.print()


def hits_to_jsonl(result, out: TextIO) -> None:
    """One JSON object per hit, then a summary object."""
    for hit in result:
        out.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
    summary = {
        "type": "summary",
        "query": result.query,
        "hits": len(result),
        "total": result.total,
        "suggestion": result.suggestion,
        "seconds": round(result.seconds, 4),
        "notices": list(getattr(result, "notices", [])),
        "partial": bool(getattr(result, "partial", False)),
    }
    out.write(json.dumps(summary, ensure_ascii=False) + "\n")


def print_document(doc, spans, console, color: bool) -> None:
    from rich.text import Text

    console.print(Text(doc.title or "(untitled)", style="bold cyan" if color else ""))
    console.print(Text(f"{format_date(doc.date)} · {doc.id} · {doc.source}", style="dim" if color else ""))
    console.print()
    console.print(styled(doc.text, spans))
