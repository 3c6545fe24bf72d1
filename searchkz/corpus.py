"""Reading the corpus: ``.txt`` articles and JSON Lines files.

The corpus is a folder (walked recursively; hidden entries and files other than
``.txt``/``.jsonl`` are ignored) or a single ``.txt``/``.jsonl`` file.

* ``.txt`` -- one article per file. Title = first non-empty line; the date is
  taken from the page header (``10 Қазан 2019, 20:47``, ``16.10.2018, 00:44``,
  ISO ...); the body is the text with the scraping boilerplate removed (see
  :func:`clean_body`). Id = path relative to the corpus root, ``/``-separated.
* ``.jsonl`` -- one article per line: ``{"id", "title", "date", "text", ...}``;
  unknown keys are kept in :attr:`Article.metadata`. Read as a stream.

Nothing here raises on bad input except :class:`CorpusError` (the corpus path
itself is missing or unusable). Every bad file or line becomes a
:class:`Problem` -- ``fatal=True`` when the document was skipped,
``fatal=False`` for a warning about a document that was kept.

>>> parse_date("10 Қазан 2019, 20:47")
datetime.datetime(2019, 10, 10, 20, 47)
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from searchkz.errors import SearchkzError
from searchkz.outlet import outlet_of

__all__ = [
    "Article",
    "CorpusError",
    "Problem",
    "SourceFile",
    "clean_body",
    "decode_bytes",
    "list_sources",
    "parse_date",
    "parse_txt",
    "read_corpus",
    "read_source",
    "iter_source",
    "MAX_TXT_BYTES",
    "MAX_BODY_CHARS",
]

#: A ``.txt`` file larger than this is read only up to this many bytes (cut at
#: a line end) and a warning is reported. One news article is 2-50 KB; a bigger
#: .txt is a dump, and indexing 8 MiB of it is enough to find it again.
MAX_TXT_BYTES = 8 * 1024 * 1024
#: A JSONL ``text`` longer than this is truncated (with a warning).
MAX_BODY_CHARS = 8 * 1024 * 1024
#: At most this many problems are listed per JSONL file; then one summary line.
MAX_PROBLEMS_PER_FILE = 100

SUFFIXES = (".txt", ".jsonl")


class CorpusError(SearchkzError):
    """The corpus path is missing, or is not a folder / .txt / .jsonl file.

    The only exception this module raises; ``str(e)`` is a one-line message.
    """


@dataclass(frozen=True)
class Article:
    """One article, ready to index."""

    id: str
    title: str
    date: datetime | None
    body: str  #: cleaned text: what is indexed, stored and shown
    source: str  #: file path relative to the corpus root (``/``-separated)
    metadata: dict = field(default_factory=dict, hash=False)  #: unknown JSONL keys
    outlet: str = ""  #: who published it (:mod:`searchkz.outlet`): the index's ``source`` field

    @property
    def content_hash(self) -> str:
        """SHA-1 (hex) of id, title, date, body and metadata; stable across runs."""
        payload = json.dumps(
            [self.id, self.title, self.date.isoformat() if self.date else None,
             self.body, self.metadata],
            ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
        )
        return hashlib.sha1(payload.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """A bad file or line. ``fatal``: the document was skipped; else a warning."""

    source: str  #: printable relative file name, ``name.jsonl:LINE`` for a line
    reason: str  #: short, one line
    fatal: bool

    def __str__(self) -> str:
        return f"{self.source}: {'error' if self.fatal else 'warning'}: {self.reason}"


@dataclass(frozen=True)
class SourceFile:
    """A corpus file as seen by :func:`list_sources` (stat only)."""

    relpath: str  #: printable, ``/``-separated, relative to the corpus root
    path: Path  #: the real path (may contain undecodable bytes as surrogates)
    mtime_ns: int
    size: int


# ---------------------------------------------------------------------------
# Dates

_MONTHS = {
    1: ("қаңтар", "январь", "января", "january", "jan"),
    2: ("ақпан", "февраль", "февраля", "february", "feb"),
    3: ("наурыз", "март", "марта", "march", "mar"),
    4: ("сәуір", "апрель", "апреля", "april", "apr"),
    5: ("мамыр", "май", "мая", "may"),
    6: ("маусым", "июнь", "июня", "june", "jun"),
    7: ("шілде", "июль", "июля", "july", "jul"),
    8: ("тамыз", "август", "августа", "august", "aug"),
    9: ("қыркүйек", "сентябрь", "сентября", "september", "sep", "sept"),
    10: ("қазан", "октябрь", "октября", "october", "oct"),
    11: ("қараша", "ноябрь", "ноября", "november", "nov"),
    12: ("желтоқсан", "декабрь", "декабря", "december", "dec"),
}
# Kazakh possessive / genitive-ish forms: қаңтары, ақпаны, қарашасы, қыркүйегі ...
_KK_POSSESSIVE = {
    "қаңтары": 1, "ақпаны": 2, "наурызы": 3, "сәуірі": 4, "мамыры": 5,
    "маусымы": 6, "шілдесі": 7, "тамызы": 8, "қыркүйегі": 9, "қазаны": 10,
    "қарашасы": 11, "желтоқсаны": 12,
}
MONTHS: dict[str, int] = {name: n for n, names in _MONTHS.items() for name in names}
MONTHS.update(_KK_POSSESSIVE)

# Look-alikes seen in scraped Kazakh text: Latin schwa for ә, Latin i for і.
_MONTH_FOLD = str.maketrans({"ə": "ә", "i": "і", "ı": "і"})


def _month_number(word: str) -> int | None:
    w = word.casefold().rstrip(".")
    n = MONTHS.get(w)
    if n is None:
        # Latin i / ə look-alikes only matter in Cyrillic words.
        n = MONTHS.get(w.translate(_MONTH_FOLD)) if not w.isascii() else None
    return n


_TIME = r"(?:[,\s]+(?:сағат\s*|в\s*|at\s*)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
_DATE_RE = re.compile(
    r"^\s*(?:"
    r"(?P<d1>\d{1,2})[./](?P<m1>\d{1,2})[./](?P<y1>\d{4})"  # 16.10.2018
    r"|(?P<y2>\d{4})[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2})"  # 2019-10-10
    r"|(?P<d3>\d{1,2})[\s\-]+(?P<mon3>[^\W\d_]+\.?)[\s,\-]+(?P<y3>\d{4})"  # 10 Қазан 2019
    r"(?:\s*(?:ж\.|жыл|жылы|года|г\.?)(?=[\s,]|$))?"
    r"|(?P<y4>\d{4})\s*(?:ж\.|жылғы|жылы|жыл|года|г\.)?\s+"  # 2019 жылғы 10 қазан
    r"(?P<d4>\d{1,2})[\s\-]+(?P<mon4>[^\W\d_]+)"
    r"|(?P<mon5>[A-Za-z]+\.?)\s+(?P<d5>\d{1,2}),?\s+(?P<y5>\d{4})"  # October 10, 2019
    r")" + _TIME +
    r"(?P<rest>.*)$",
    re.DOTALL,
)
# What may follow a date on the same line: view/comment counters ("3457").
_DATE_TAIL_OK = re.compile(r"^[\s\d|•·]*$")
# A line that starts like a date: checked only to warn about unparsable dates.
_DATE_LIKE = re.compile(
    r"^\s*\d{1,4}[\s./-]+(?:\d{1,2}|[^\W\d_]{3,})[\s./,-]+\d{1,4}"
    r"(?:[,\s]+\d{1,2}[:.]\d{2})?[\s\d]*$"
)


def parse_date(text: str) -> datetime | None:
    """Parse a publication date; ``None`` if *text* is not one date.

    Accepts ISO (``2019-10-10``, ``2019-10-10T20:47:00+06:00``; the wall-clock
    time is kept and the offset dropped, so every date is naive), ``16.10.2018,
    00:44``, ``10 Қазан 2019, 20:47`` / ``16 Сәуір, 2021`` (the twelve Kazakh
    months, any case, also ``қаңтары``-type forms; Russian and English names
    too), ``2019 жылғы 10 қазан``. Trailing counters (``... 10:03 3457``) are
    ignored. Relative dates (``Бүгін``, ``Кеше``) give ``None``.

    >>> parse_date("16.10.2018, 00:44")
    datetime.datetime(2018, 10, 16, 0, 44)
    >>> parse_date("27 қарашасы 2019") is not None
    True
    >>> parse_date("Кеше") is None
    True
    """
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s or len(s) > 80:
        return None
    iso = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
    if iso[:4].isdigit() and len(iso) >= 10 and iso[4] == "-":
        try:
            d = datetime.fromisoformat(iso)
        except ValueError:
            pass
        else:
            return d.replace(tzinfo=None) if _plausible_year(d.year) else None
    m = _DATE_RE.match(s)
    if not m or not _DATE_TAIL_OK.match(m.group("rest")):
        return None
    g = m.groupdict()
    try:
        if g["d1"]:
            y, mo, d = int(g["y1"]), int(g["m1"]), int(g["d1"])
        elif g["y2"]:
            y, mo, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
        else:
            if g["d3"]:
                y, word, d = int(g["y3"]), g["mon3"], int(g["d3"])
            elif g["y4"]:
                y, word, d = int(g["y4"]), g["mon4"], int(g["d4"])
            else:
                y, word, d = int(g["y5"]), g["mon5"], int(g["d5"])
            mo = _month_number(word)
            if mo is None:
                return None
        if not _plausible_year(y):
            return None
        hh = int(g["H"]) if g["H"] else 0
        mm = int(g["M"]) if g["M"] else 0
        ss = int(g["S"]) if g["S"] else 0
        return datetime(y, mo, d, hh, mm, ss)
    except ValueError:
        return None


def _plausible_year(y: int) -> bool:
    return 1800 <= y <= 2200


# ---------------------------------------------------------------------------
# Boilerplate

# "Спорт • Бүгін, 20:23", "Аймақтар • Кеше", "Оқиға • 16 Сәуір, 2021"
_RUBRIC_TIME = re.compile(r"^(?P<rubric>[^•·|]{1,60}?)\s+[•·|]\s+(?P<when>.{2,40})$")
_RELATIVE_DAY = re.compile(
    r"^(?:бүгін|кеше|сегодня|вчера|today|yesterday)(?:[,\s]+\d{1,2}:\d{2})?$"
    r"|^\d{1,2}:\d{2}$",
    re.IGNORECASE,
)
_COUNTER = re.compile(r"^\d{1,9}(?:\s+\d{1,9}){0,3}$")
_LABEL = re.compile(r"^[^\W\d_]+(?:\s[^\W\d_]+)?\s*:$")  # "Бөлісу:", "Share this:"
# Navigation vocabulary of related-news / share / tag blocks (any case, any form).
_NAV_WORDS = re.compile(
    r"жаңалы[қғ]|бөлісу|оқыңыз|оқи\s+отыр|тақырыпқа|тегтер|пікірлер"
    r"|новост|поделит|читайте|тэги|теги|комментар"
    r"|\bnews\b|\bshare\b|\brelated\b|\btags\b|\bcomments\b",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "!", "?", "…", ":", ";", "»", '"', ")")
_CLOSERS = "\"'»”“’›)]"  # closing quotes and brackets, which may follow a sentence's final mark


def _words(line: str) -> int:
    return len(line.split())


def _norm(line: str) -> str:
    return " ".join(line.casefold().split())


def _is_rubric_time(line: str) -> bool:
    if "•" not in line and "·" not in line and "|" not in line:
        return False
    m = _RUBRIC_TIME.match(line)
    if not m or _words(m.group("rubric")) > 4:
        return False
    when = m.group("when").strip()
    return bool(_RELATIVE_DAY.match(when)) or parse_date(when) is not None


def _is_headline(line: str) -> bool:
    """Short line that is not a finished sentence (headlines end without '.')."""
    if len(line) > 160 or not 1 <= _words(line) <= 20:
        return False
    core = line.rstrip(_CLOSERS)
    return not core.endswith(".") or core.endswith("..")


def _is_nav_heading(line: str) -> bool:
    return (len(line) <= 60 and not line.endswith(".") and _words(line) <= 5
            and _NAV_WORDS.search(line) is not None)


def _is_debris(line: str) -> bool:
    """A lone word after the last paragraph: a rubric tag or an image credit, never a one-word
    sentence (``Рахмет.``, ``«Құттықтаймыз!»``: its final mark may stand inside quotes)."""
    return (" " not in line and len(line) <= 30 and not line.rstrip(_CLOSERS).endswith(_SENTENCE_END[:4])
            and any(c.isalpha() for c in line))


def _is_rubric(line: str) -> bool:
    """Candidate category line ("Құқық"): 1-3 words, no punctuation at all."""
    return (1 <= _words(line) <= 3 and len(line) <= 40
            and not any(c in line for c in '.,!?:;"«»()') and not line[0].isdigit())


def _date_in_line(line: str) -> tuple[bool, datetime | None]:
    """(looks like a date line, parsed date)."""
    d = parse_date(line)
    if d is not None:
        return True, d
    return bool(_DATE_LIKE.match(line)) and len(line) <= 60, None


def clean_body(lines: list[str], title: str, keep_words: bool = False) -> tuple[list[str], datetime | None, str | None]:
    """Remove scraping boilerplate from the lines that follow the title.

    Returns ``(kept lines, date from the header or None, unparsable date text
    or None)``. *lines* must be stripped. Rules (structural, not per site):

    * header (the lines before the first paragraph): blank lines, repeats of
      the title, the date line (a date, optional time, optional counters),
      bare numbers (view/comment counters), UI labels (``Бөлісу:`` -- one or
      two words and a colon), and a rubric (1-3 words, no punctuation) that
      stands right before the date line;
    * tail (after the last paragraph), scanning back from the end: blank
      lines, bare numbers, UI labels, related-news headings (a short line with
      news/share vocabulary: ``Ұқсас жаңалықтар``, ``Өзгелердің жаңалығы``),
      sidebar entries (``Rubric • Бүгін, 21:30`` lines, each with the headline
      just above it if that line is short and not a finished sentence), and
      lone words that end no sentence (no final ``.!?…``, before closing
      quotes or not: ``Сұхбат``, ``PhotoRoom``: rubric tags and image credits
      -- a paragraph is never one word, but ``«Рахмет!»`` is a sentence).

    With ``keep_words`` (a feed's text field) the rules never take all its words: when they
    would leave nothing, the lone words and title repeats stay (a one-word text, or one that
    repeats its title, is the text, not debris around one); labels, dates, counters, related-news
    headings and sidebar lines still go.
    """
    n = len(lines)
    date: datetime | None = None
    bad_date: str | None = None
    tnorm = _norm(title)

    # --- header
    i = 0
    while i < n:
        line = lines[i]
        if not line or _COUNTER.match(line) or _LABEL.match(line) or _norm(line) == tnorm:
            i += 1
            continue
        looks, d = _date_in_line(line)
        if looks:
            if d is not None and date is None:
                date = d
            elif d is None and bad_date is None:
                bad_date = line
            i += 1
            continue
        if _is_rubric(line):
            j = i + 1
            while j < n and not lines[j]:
                j += 1
            if j < n and _date_in_line(lines[j])[0]:
                i += 1
                continue
        break
    start = i

    # --- tail
    k = n - 1
    while k >= start:
        line = lines[k]
        if (not line or _COUNTER.match(line) or _LABEL.match(line)
                or _is_nav_heading(line) or _is_debris(line)):
            k -= 1
            continue
        if _is_rubric_time(line):
            k -= 1
            if (k >= start and lines[k] and not _is_rubric_time(lines[k])
                    and _is_headline(lines[k])):
                k -= 1
            continue
        break
    kept = lines[start:k + 1]
    if keep_words and not any(kept):
        kept = [x for x in lines if not x or not (_COUNTER.match(x) or _LABEL.match(x) or _date_in_line(x)[0]
                                                   or _is_nav_heading(x) or _is_rubric_time(x))]
    return kept, date, bad_date


def _join(lines: list[str]) -> str:
    """Join stripped lines, keeping at most one blank line between paragraphs."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _nfc(s: str) -> str:
    return s if unicodedata.is_normalized("NFC", s) else unicodedata.normalize("NFC", s)


def _split_lines(text: str) -> list[str]:
    # str.splitlines also splits on \x0b, \x1c.. and U+2028; fine for scraped text.
    return [line.strip() for line in text.splitlines()]


def _looks_like_lead(title: str) -> bool:
    """A first line that is a whole sentence (no separate headline): keep it in the body."""
    return title.endswith(".") and not title.endswith("..") and _words(title) >= 8


def parse_txt(text: str, relpath: str) -> tuple[Article, list[Problem]]:
    """Parse the decoded text of one ``.txt`` article (pure; no I/O).

    Title = first non-empty line. If that line is itself a finished sentence of
    8+ words (the page had no headline), it is also kept as the body's first
    paragraph. An empty text gives an article with empty title and body and a
    fatal problem (the caller skips it).
    """
    text = _nfc(text.lstrip("\ufeff"))
    lines = _split_lines(text)
    problems: list[Problem] = []
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        problems.append(Problem(relpath, "no text (empty or whitespace only)", True))
        return Article(relpath, "", None, "", relpath, {}), problems
    title = lines[first]
    rest, date, bad_date = clean_body(lines[first + 1:], title)
    if _looks_like_lead(title) and not any(_norm(x) == _norm(title) for x in lines[first + 1:first + 12]):
        rest = [title, ""] + rest if rest else [title]
    body = _join(rest)
    if bad_date is not None and date is None:
        problems.append(Problem(relpath, f"unparsable date {_short(bad_date)!r}; date left empty", False))
    if not body:
        problems.append(Problem(relpath, "no body text after the title", False))
    return Article(relpath, title, date, body, relpath, {}, outlet_of(relpath, {}, body)), problems


def _short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


# ---------------------------------------------------------------------------
# Decoding

_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Letters cp1251 produces where kz1048 has Kazakh ones (and other rarities).
_RARE_LETTERS = frozenset("ЂђЃѓЉљЊњЌќЋћЏџЎўЈјҐґЄєЇїЅѕ")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class _NotText(Exception):
    pass


def _single_byte_score(text: str) -> int:
    """Frequent letters + Kazakh letters - 5 · (rare letters + pseudographics).  KOI8-R and cp1251
    put the Cyrillic letters at other bytes, so the wrong one of them spells few of the frequent
    ones (о е а и н т …), and KOI8-R has box-drawing signs where kz1048 has Kazakh letters;
    cp1251 and kz1048 differ only in the Kazakh letters (rare ones in cp1251)."""
    kz = sum(1 for c in text if c in _KAZAKH_LETTERS)
    rare = sum(1 for c in text if c in _RARE_LETTERS)
    return len(_FREQUENT.findall(text)) + kz - 5 * (rare + len(_PSEUDOGRAPHICS.findall(text)))


_FREQUENT = re.compile("[оеаинтсрвлкмдпуыОЕАИНТСРВЛКМДПУЫ]")
_PSEUDOGRAPHICS = re.compile("[\u2200-\u25ff]")  # (KOI8-R's 0x80-0xBF: box drawing, ≈ ≤ ≥ ⌠ ⌡ …)


_GARBAGE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def _garbage_ratio(text: str) -> float:
    """Share of control characters and U+FFFD in the first 64K characters."""
    if not text:
        return 0.0
    sample = text[:65536]
    return len(_GARBAGE.findall(sample)) / len(sample)


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without BOM: most high bytes of Kazakh/ASCII text are 0x00 or 0x04."""
    sample = data[:65536]
    if len(sample) < 4 or len(sample) % 2:
        return None
    half = len(sample) // 2
    odd = sum(1 for b in sample[1::2] if b in (0, 4))
    even = sum(1 for b in sample[0::2] if b in (0, 4))
    if odd / half > 0.6 and even / half < 0.2:
        return "utf-16-le"
    if even / half > 0.6 and odd / half < 0.2:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, final: bool = True) -> tuple[str, str, str | None]:
    """Decode file contents: ``(text, encoding, warning or None)``.

    Order: a BOM (UTF-8, UTF-16 LE/BE, UTF-32) decides; else strict UTF-8;
    else UTF-16 without BOM (by the 0x00/0x04 high-byte pattern); else, if the
    bytes are mostly valid UTF-8, UTF-8 with U+FFFD replacements (warning);
    else a single-byte Cyrillic code page: cp1251, kz1048 and KOI8-R are tried;
    the one that spells more of the most frequent letters (о е а и н т с р …;
    KOI8-R read as cp1251 spells П Х Б …) and of the Kazakh ones, and fewer
    rare letters (Ђ ќ Ћ Ў Ј Ґ Є Ї Ѕ ...; the slots where kz1048 has ә ғ қ ң ө ұ ү
    һ) and box-drawing signs wins, ties going to cp1251 (warning: encoding
    guessed). Raises ``_NotText`` for binary data (NUL bytes that are not
    UTF-16, or >10% control/undecodable characters).

    ``final=False`` is for a truncated prefix: a cut multi-byte character at
    the end is dropped instead of reported.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            dec = codecs.getincrementaldecoder(enc)("replace")
            text = dec.decode(data, final=final)
            warn = None
            if "\ufffd" in text:
                warn = f"invalid {enc.split('-sig')[0].upper()} bytes replaced"
            if _garbage_ratio(text) > 0.10:
                raise _NotText("binary data")
            return text.lstrip("\ufeff"), enc, warn
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=final)
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text:
            guess = _utf16_guess(data)
            if guess:
                return _decode_guess(data, guess, final)
            raise _NotText("binary file (NUL bytes)")
        if _garbage_ratio(text) > 0.10:
            raise _NotText("binary file (control characters)")
        return text, "utf-8", None
    guess = _utf16_guess(data)
    if guess:
        return _decode_guess(data, guess, final)
    if b"\x00" in data[:65536]:
        raise _NotText("binary file (NUL bytes)")
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(data, final=final)
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    if good >= 2 * bad:
        if _garbage_ratio(text) > 0.10:
            raise _NotText("binary file")
        return text, "utf-8", f"invalid UTF-8: {bad} byte sequence(s) replaced"
    candidates = []
    for enc in ("cp1251", "kz1048", "koi8-r"):
        t = data.decode(enc, "replace")
        candidates.append((_single_byte_score(t), enc == "cp1251", enc, t))
    score, _, enc, text = max(candidates)
    if _garbage_ratio(text) > 0.10 or not _mostly_letters(text):
        raise _NotText("binary file (not text in UTF-8, cp1251, kz1048 or KOI8-R)")
    return text, enc, f"not UTF-8; decoded as {enc} (guessed)"


def _decode_guess(data: bytes, enc: str, final: bool) -> tuple[str, str, str | None]:
    text = codecs.getincrementaldecoder(enc)("replace").decode(data, final=final)
    if _garbage_ratio(text) > 0.10 or not _mostly_letters(text):
        raise _NotText("binary file (NUL bytes)")
    return text, enc, f"no BOM; decoded as {enc} (guessed)"


def _mostly_letters(text: str) -> bool:
    """Plausible text: among non-ASCII characters, most are letters."""
    sample = text[:65536]
    high = [c for c in sample if c > "\x7f"]
    if not high:
        return True
    letters = sum(1 for c in high if c.isalpha())
    return letters / len(high) >= 0.7


# ---------------------------------------------------------------------------
# Listing


def _printable(name: str) -> str:
    """A str path that may hold surrogate-escaped bytes -> printable text."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _wanted(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def list_sources(corpus: str | Path) -> tuple[list[SourceFile], list[Problem]]:
    """List the corpus files (stat only, nothing is read), sorted by relpath.

    *corpus* is a folder (walked recursively; symlinked folders are followed
    once, after every real one, so a folder also linked keeps its own name;
    hidden entries and other suffixes skipped) or one .txt/.jsonl file
    (its relpath is its name). Problems: broken symlinks (whatever their name: a
    link to a folder that is gone has no suffix), unreadable folders,
    non-regular files, names that are not UTF-8 (warning: the file is still
    read, under a ``\\xNN``-escaped relpath). Raises :class:`CorpusError`.
    """
    root = Path(corpus)
    try:
        st = root.stat()
    except FileNotFoundError:
        raise CorpusError(f"corpus not found: {_printable(str(root))}") from None
    except OSError as e:
        raise CorpusError(f"cannot access corpus {_printable(str(root))}: {e.strerror}") from None
    if stat.S_ISREG(st.st_mode):
        if not root.name.lower().endswith(SUFFIXES):
            raise CorpusError(f"corpus file must be .txt or .jsonl: {_printable(str(root))}")
        rel = _printable(root.name)
        probs = [] if rel == root.name else [Problem(rel, "file name is not valid UTF-8", False)]
        return [SourceFile(rel, root, st.st_mtime_ns, st.st_size)], probs
    if not stat.S_ISDIR(st.st_mode):
        raise CorpusError(f"corpus is not a folder or file: {_printable(str(root))}")

    sources: list[SourceFile] = []
    problems: list[Problem] = []
    seen_dirs = {(st.st_dev, st.st_ino)}
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    linked: list[tuple[str, str, tuple]] = []  # symlinked folders: (relpath, path, key), read last
    while stack or linked:
        if not stack:
            linked.sort(reverse=True)
            rel, path, key = linked.pop()
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            stack.append((path, rel + "/"))
        dirpath, prefix = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError as e:
            if not prefix:
                raise CorpusError(f"cannot list corpus folder {_printable(str(root))}: "
                                  f"{e.strerror}") from None
            problems.append(Problem(_printable(prefix.rstrip("/")),
                                    f"cannot list folder: {e.strerror}", True))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                try:
                    dst = entry.stat()
                except OSError as e:
                    problems.append(Problem(_printable(rel), f"cannot open folder: {e.strerror}", True))
                    continue
                key = (dst.st_dev, dst.st_ino)
                if entry.is_symlink():
                    linked.append((rel, entry.path, key))
                elif key not in seen_dirs:
                    seen_dirs.add(key)
                    stack.append((entry.path, rel + "/"))
                continue
            if not name.lower().endswith(SUFFIXES):
                if entry.is_symlink() and not os.path.exists(entry.path):  # (it may have led to a folder)
                    problems.append(Problem(_printable(rel), "broken symlink", True))
                continue
            prel = _printable(rel)
            try:
                fst = entry.stat()
            except FileNotFoundError:
                problems.append(Problem(prel, "broken symlink" if entry.is_symlink()
                                        else "file vanished", True))
                continue
            except OSError as e:
                problems.append(Problem(prel, f"cannot stat: {e.strerror}", True))
                continue
            if not stat.S_ISREG(fst.st_mode):
                problems.append(Problem(prel, "not a regular file", True))
                continue
            if prel != rel:
                problems.append(Problem(prel, "file name is not valid UTF-8 (id uses \\x escapes)", False))
            sources.append(SourceFile(prel, Path(entry.path), fst.st_mtime_ns, fst.st_size))
    sources.sort(key=lambda s: s.relpath)
    problems.sort(key=lambda p: p.source)
    return sources, problems


# ---------------------------------------------------------------------------
# Reading


def read_source(src: SourceFile, corpus_root: Path | None = None) -> tuple[list[Article], list[Problem]]:
    """Read one listed file: a .txt gives at most one article, a .jsonl many.

    Never raises for bad content or I/O errors; they come back as problems.
    *corpus_root* is accepted for symmetry with :func:`list_sources` and is
    not needed (``src`` carries the path and relpath). To stream a big JSONL
    file instead of collecting it, use :func:`iter_source`.
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    for item in iter_source(src):
        (articles if isinstance(item, Article) else problems).append(item)
    return articles, problems


def iter_source(src: SourceFile) -> Iterator[Article | Problem]:
    """Like :func:`read_source`, but yields articles and problems as it reads."""
    try:
        if src.relpath.lower().endswith(".jsonl"):
            yield from _iter_jsonl(src)
        else:
            yield from _iter_txt(src)
    except OSError as e:
        yield Problem(src.relpath, _oserror_reason(e), True)
    except Exception as e:  # a bug must not stop the other files from being indexed
        yield Problem(src.relpath, f"unexpected error, rest of file skipped: {type(e).__name__}: "
                      f"{_short(str(e))}", True)


def _oserror_reason(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, FileNotFoundError):
        return "file vanished or broken symlink"
    if isinstance(e, IsADirectoryError):
        return "is a folder"
    return f"cannot read: {e.strerror or e}"


def _iter_txt(src: SourceFile) -> Iterator[Article | Problem]:
    with open(src.path, "rb") as f:
        data = f.read(MAX_TXT_BYTES + 1)
    truncated = len(data) > MAX_TXT_BYTES
    if truncated:
        data = data[:MAX_TXT_BYTES]
    if not data:
        yield Problem(src.relpath, "empty file", True)
        return
    try:
        text, _enc, warn = decode_bytes(data, final=not truncated)
    except _NotText as e:
        yield Problem(src.relpath, str(e), True)
        return
    problems: list[Problem] = []
    if truncated:
        cut = text.rfind("\n")
        if cut > 0:
            text = text[:cut]
        size = max(src.size, MAX_TXT_BYTES + 1)
        problems.append(Problem(src.relpath, f"file is {size / 2**20:.1f} MiB; only the first "
                                f"{MAX_TXT_BYTES // 2**20} MiB indexed", False))
    if warn:
        problems.append(Problem(src.relpath, warn, False))
    article, more = parse_txt(text, src.relpath)
    if any(p.fatal for p in more):
        yield from (p for p in more if p.fatal)
        return
    yield article
    yield from problems + more


_KNOWN_KEYS = ("id", "title", "date", "text")


def _iter_jsonl(src: SourceFile) -> Iterator[Article | Problem]:
    seen: dict[str, int] = {}
    reported = 0
    hidden = 0
    hidden_fatal = False

    def report(lineno: int, reason: str, fatal: bool) -> Iterator[Problem]:
        nonlocal reported, hidden, hidden_fatal
        if reported < MAX_PROBLEMS_PER_FILE:
            reported += 1
            yield Problem(f"{src.relpath}:{lineno}", reason, fatal)
        else:
            hidden += 1
            hidden_fatal = hidden_fatal or fatal

    with open(src.path, "rb") as raw:
        head = raw.read(4)
        raw.seek(0)
        if not head:
            yield Problem(src.relpath, "empty file", True)
            return
        stream: Iterator[bytes | str]
        wide = next((enc for bom, enc in _BOMS if enc != "utf-8-sig" and head.startswith(bom)), None)
        if wide:
            stream = io.TextIOWrapper(raw, encoding=wide, errors="replace", newline=None)
        else:
            first_chunk = raw.read(65536)
            raw.seek(0)
            # NUL bytes in a file that does not begin as JSON Lines do (an object): binary; in one
            # that does, each line with one is reported and skipped below, the others kept
            if b"\x00" in first_chunk and not first_chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
                yield Problem(src.relpath, "binary file (NUL bytes)", True)
                return
            stream = raw
        any_line = False
        for lineno, rawline in enumerate(stream, 1):
            if isinstance(rawline, bytes):
                if b"\x00" in rawline:
                    yield from report(lineno, "NUL bytes in the line", True)
                    continue
                if lineno == 1 and rawline.startswith(codecs.BOM_UTF8):
                    rawline = rawline[3:]
                try:
                    line = rawline.decode("utf-8")
                except UnicodeDecodeError:
                    try:
                        line, _enc, warn = decode_bytes(rawline)
                    except _NotText as e:
                        yield from report(lineno, str(e), True)
                        continue
                    if warn:
                        yield from report(lineno, warn, False)
            else:
                line = rawline.lstrip("\ufeff") if lineno == 1 else rawline
            if not line.strip():
                continue
            any_line = True
            art, reason, warnings = _parse_json_line(line, src.relpath)
            for w in warnings:
                yield from report(lineno, w, False)
            if art is None:
                yield from report(lineno, reason or "bad line", True)
                continue
            if art.id in seen:
                yield from report(lineno, f"duplicate id {_short(art.id)!r} "
                                  f"(first at line {seen[art.id]}); skipped", True)
                continue
            seen[art.id] = lineno
            yield art
    if not any_line:
        yield Problem(src.relpath, "empty file", True)
    if hidden:
        yield Problem(src.relpath, f"{hidden} more problems in this file not listed", hidden_fatal)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # (a pair is decoded to one character; a lone half stays)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(value):
    """``value`` (decoded JSON) with each lone surrogate replaced by U+FFFD: a scraper that cut an
    emoji's escape in half leaves one, which no UTF-8 output (a search's, the API's) can encode."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in value.items()}
    return value


def _parse_json_line(line: str, relpath: str) -> tuple[Article | None, str | None, list[str]]:
    """One JSONL line -> (article or None, fatal reason, warnings)."""
    warnings: list[str] = []
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as e:
        msg = e.msg if isinstance(e, json.JSONDecodeError) else "not JSON"
        return None, f"malformed JSON: {msg}", warnings
    if not isinstance(obj, dict):
        return None, "not a JSON object", warnings
    if _SURROGATE_ESCAPE.search(line):
        clean = _no_surrogates(obj)
        if clean != obj:
            obj = clean
            warnings.append("a lone surrogate escape (half a character) replaced by U+FFFD")
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not str(raw_id).strip():
        return None, "missing or empty \"id\"", warnings
    doc_id = _nfc(str(raw_id).strip())
    title = obj.get("title")
    if isinstance(title, (list, dict, bool)):  # (a number is its digits; a list would be its Python repr)
        warnings.append(f"\"title\" is not a string ({type(title).__name__}); title left empty")
        title = ""
    title = "" if title is None else title if isinstance(title, str) else str(title)
    title = _nfc(" ".join(title.split()))
    text = obj.get("text")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        return None, "\"text\" is not a string", warnings
    if len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS]
        warnings.append(f"text longer than {MAX_BODY_CHARS} characters; truncated")
    lines = _split_lines(_nfc(text))
    kept, header_date, _bad = clean_body(lines, title, keep_words=True)
    body = _join(kept)
    if not title and not body:
        return None, "no title and no text", warnings
    raw_date = obj.get("date")
    date: datetime | None = None
    if raw_date is None or raw_date == "":
        date = header_date
    elif isinstance(raw_date, str):
        date = parse_date(raw_date)
        if date is None:
            warnings.append(f"unparsable date {_short(raw_date)!r}; date left empty")
    else:
        warnings.append(f"unparsable date {_short(json.dumps(raw_date))!r}; date left empty")
    metadata = {k: v for k, v in obj.items() if k not in _KNOWN_KEYS}
    return Article(doc_id, title, date, body, relpath, metadata, outlet_of(relpath, metadata, body)), None, warnings


def read_corpus(corpus: str | Path) -> Iterator[Article | Problem]:
    """Everything in the corpus, file by file in relpath order.

    Yields the listing problems first, then each file's articles and problems.
    A document id seen in an earlier file is reported (fatal) and skipped.
    Raises :class:`CorpusError` (before yielding anything) if *corpus* is unusable.
    """
    sources, problems = list_sources(corpus)
    return _iter_corpus(Path(corpus), sources, problems)


def _iter_corpus(root: Path, sources: list[SourceFile], problems: list[Problem]) -> Iterator[Article | Problem]:
    yield from problems
    first_seen: dict[str, str] = {}
    for src in sources:
        for art in iter_source(src):
            if isinstance(art, Problem):
                yield art
                continue
            where = first_seen.get(art.id)
            if where is not None:
                yield Problem(src.relpath, f"duplicate id {_short(art.id)!r} (first in {where}); skipped", True)
                continue
            first_seen[art.id] = src.relpath
            yield art
