"""Queries, ranking and snippets.

A free-text query ("қоғамдық кеңес", "Энергетикалық алмасу дегеніміз не?") becomes
a ranked OR over its content words with a coordination bonus: documents with
all words rank above those with some.  Each word searches

* ``body`` and ``title`` by stem (inflected forms meet),
* ``exact`` by normalized form (the same form as typed ranks higher),
* and, typed without Kazakh letters (``когам``) or in Latin, by the spellings of
  it that the index has (``қоғам``), weighted below what was typed.

A word after a minus (``қоғам -кеңес``) is not ranked: the articles with it, in any of
those forms, are left out (:meth:`searchkz.rank.Ranker.having`, applied as a filter).

A query with explicit syntax (AND/OR/NOT, quotes, ``field:``, ``word~``,
wildcards) goes through Whoosh's parser; every plain word in it is expanded
the same way (its respellings once the index is open: :func:`respell_query`).
Snippets are cut from the stored original text around the densest cluster of
matched words, with the matched substrings' offsets.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from searchkz.analysis import (
    KIND_ENGLISH,
    KIND_KAZAKH,
    WORD_RE,
    WordAnalysis,
    analyze_word,
    has_kazakh_letter,
    iter_words,
)
from searchkz import acronyms
from searchkz.errors import QueryError
from searchkz.translit import is_kazakh_latin, latin_lower, latin_to_cyrillic
from searchkz.lang.kk.stop_words import QUESTION_WORDS, STOP_WORDS

# Ranking weights (see docs/ARCHITECTURE.md and searchkz.bench.eval for how they were measured).
EXACT_WEIGHT = 0.35
TITLE_WEIGHT = 1.0
COORD_SCALE = 0.9
BM25_B = 0.75
BM25_K1 = 1.2

SNIPPET_WIDTH = 240
SNIPPET_SCAN_CHARS = 30_000
MAX_QUERY_CHARS = 2_000

_SYNTAX_RE = re.compile(
    r"""(?x)
      (?<!\S)(?:AND|OR|NOT|ANDNOT|ANDMAYBE)(?!\S)
    | (?<![\w])(?:title|body|date|id|exact|folded|source):\S   # field query
    | \w~ | \w\* | \*\w | \w\?\w | \w\^\d   # fuzzy, wildcard, boost
    | \[ .* \]                           # range
    """
)


@dataclass
class Hit:
    """One search result."""

    rank: int
    id: str
    title: str
    date: datetime | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # offsets into snippet
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    source: str = ""  # the outlet
    copies: list[str] = field(default_factory=list)  # ids of the other articles of its group of copies
    group: str | None = None  # its group of copies (the group's first id), None without copies

    def to_dict(self) -> dict:
        return {
            "type": "hit",
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(s) for s in self.highlights],
            "source": self.source,
            "copies": list(self.copies),
            "group": self.group,
        }


_QUOTED_RE = re.compile(r'"[^"]*"')


def has_syntax(text: str) -> bool:
    """Does the query use Whoosh syntax (operators, quotes, fields, wildcards, fuzzy)?

    Double quotes count as a phrase only when they are balanced and the query
    is not a sentence around a quoted name: ``"азаматтық қоғам"`` is a phrase,
    ``"Оян, қазақ!" өлең жинағы қай қалада басылған?`` is free text.
    """
    if _SYNTAX_RE.search(text) is not None:
        return True
    if '"' not in text or text.count('"') % 2:
        return False
    outside = _QUOTED_RE.sub(" ", text)
    return len(WORD_RE.findall(outside)) < 3 and "?" not in outside


#: A minus that excludes a word (``қоғам -кеңес``): at the start of a word (after a space, an opening
#: bracket or the query's start) and before a letter, a bracket, a quote or a pattern (``-*лық``),
#: or after a field's name (``title:-кеңес``); not the hyphen inside ``Нұр-Сұлтан`` or
#: ``COVID-19-ға``, nor the sign of a number (``-5``).  A quoted phrase is skipped whole: a minus in
#: it (``"қоғамдық -кеңес"``) is punctuation, as the phrase's other marks are.
_MINUS_RE = re.compile(r'"[^"]*"|(?<![^\s(])(?:([^\W\d_]\w*):)?-(?=[^\W\d_]|[(\"«\[*?])')
#: In free text: a minus before a word, a bracket of words or a quotation (``"…"``, ``«…»``).
_MINUS_WORD_RE = re.compile(r"""(?<![^\s(])-(\([^()]*\)|"[^"]*"|«[^«»]*»|[("«']*[^\W\d_]\S*)""")


def _minus_to_not(text: str) -> str:
    """A syntax query with each excluding minus written as NOT (``-кеңес`` is ``NOT кеңес``,
    ``title:-кеңес`` is ``NOT title:кеңес``), its quoted phrases as they are."""
    def sub(m):
        if m.group().startswith('"'):
            return m.group()
        return "NOT " + (m.group(1) + ":" if m.group(1) else "")

    return _MINUS_RE.sub(sub, text)


def query_context(text: str) -> str:
    """``"latn"`` when the query is Kazakh written in Latin script (any word with a
    Kazakh-only Latin letter), so every Latin word in it is transliterated."""
    for w in WORD_RE.findall(text):
        lw = w.lower()
        if re.match(r"[a-z\u00c0-\u024f]", lw) and is_kazakh_latin(lw):
            return "latn"
    return ""


_LATIN_WORD_RE = re.compile(r"(?<![\w\u0400-\u04ff])[A-Za-z\u00c0-\u024f']+(?![\w\u0400-\u04ff])")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")


@dataclass
class QueryPlan:
    """The parsed query plus the terms to highlight, per field."""

    query: object
    stems: set = field(default_factory=set)
    exact: set = field(default_factory=set)
    folded: set = field(default_factory=set)
    words: list = field(default_factory=list)  # content words, for suggestions
    text: str = ""  # the query as parsed (a syntax query's phrases point into it)
    ctx: str = ""  # query_context(text)
    qwords: list = field(default_factory=list)  # free text: rank.QueryWord per word (ranked by searchkz.rank)
    excluded: list = field(default_factory=list)  # free text: [rank.QueryWord] per -word (articles with all of one left out)
    prefixes: frozenset | None = None  # analysis.term_prefixes of the highlight terms (set on first use)
    folded_heads: tuple | None = None  # stemmer.stem_heads of folded (set on first use)
    heads: tuple | None = None  # stemmer.stem_heads of stems and the names' stems (set on first use)
    names: list = field(default_factory=list)  # stems of the query's acronyms' full names and phrases (highlighted in a row)
    judged: dict = field(default_factory=dict)  # analysis.find_words' verdicts on the words of the hits read so far


# Roman numerals typed with Latin and/or Cyrillic look-alikes (XIX, ХІХ, XІX).
_ROMAN_TO_LATIN = str.maketrans("ІХСМ", "IXCM")
_ROMAN_TO_CYRILLIC = str.maketrans("IXCM", "ІХСМ")
_ROMAN_RE = re.compile(r"(?=[IVXLCDM]*[IVX])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def roman_numeral_forms(raw: str) -> list[str]:
    """A Roman numeral of two or more letters in any mix of scripts -> its Latin and Cyrillic spellings.

    >>> roman_numeral_forms("XІX")  # Latin X, Cyrillic І
    ['XIX', 'ХІХ']
    """
    if len(raw) < 2:
        return []
    latin = raw.upper().translate(_ROMAN_TO_LATIN)
    if not _ROMAN_RE.fullmatch(latin):
        return []
    return [latin, latin.translate(_ROMAN_TO_CYRILLIC)]


def _word_alternatives(raw: str, ctx: str) -> list[WordAnalysis]:
    """How one query word may be meant: as typed, or (a Latin word) as Kazakh Latin,
    or (a Roman numeral) in either script."""
    roman = roman_numeral_forms(raw)
    if roman:
        alts = [analyze_word(raw, "")] + [analyze_word(f, "") for f in roman]
        out, seen = [], set()
        for a in alts:
            if (a.stem, a.normalized) not in seen:
                seen.add((a.stem, a.normalized))
                out.append(a)
        return out
    a = analyze_word(raw, ctx)
    alts = [a]
    if a.lang == KIND_ENGLISH:
        alts.append(analyze_word(latin_to_cyrillic(a.normalized), ""))
    head = _HYPHEN_RE.split(raw, 1)[0]
    if len(head) < len(raw) and head.islower() and acronyms.is_known(head):
        # a known acronym typed in lowercase with its suffix (бұұ-ның): also as written in capitals
        alts.append(analyze_word(acronyms.key(head) + raw[len(head):], ctx))
    return alts


@functools.cache
def _respell_class():
    """The query leaf that stands in a syntax query for the spellings the index has of a word
    typed without Kazakh letters or in Latin (a class made on first use: whoosh.query loads
    only when a query is built)."""
    from whoosh.query import Term

    class Respell(Term):
        """Replaced by :func:`respell_query`; unresolved, it matches nothing (no such field)."""

        def __init__(self, word, fields: tuple) -> None:
            super().__init__("_respell", word.raw)
            self.word = word  # rank.QueryWord
            self.fields = fields

    return Respell


_FIELD_WEIGHTS = {"body": 1.0, "title": TITLE_WEIGHT, "exact": EXACT_WEIGHT}


def _word_query(raw: str, ctx: str, plan: QueryPlan, boost: float = 1.0,
                fields: tuple = ("body", "title", "exact")):
    """The Whoosh query for one plain word of a syntax query (in ``fields``).  Each of its terms
    carries what the word highlights (``highlights``: stem, normalized form, folded stem or None),
    taken by :func:`_take_highlights` where the word is not negated."""
    from whoosh.query import Or, Term

    subs = []
    for a in _word_alternatives(raw, ctx):
        forms = [(a.stem, a.normalized)]
        capitals = _in_capitals(a)
        if capitals:
            forms.append((capitals, capitals))
        # (typed without Kazakh letters: its folded stem highlights its spellings with them)
        folded = a.folded if a.lang == KIND_KAZAKH and not has_kazakh_letter(a.normalized) else None
        for stem, normalized in forms:
            for f in fields:
                term = Term(f, normalized if f == "exact" else stem, boost=_FIELD_WEIGHTS[f])
                term.highlights = (stem, normalized, folded)
                subs.append(term)
    qw = _query_word(raw, ctx)
    if qw.unfold or qw.latin:
        subs.append(_respell_class()(qw, fields))
    plan.words.append(raw)
    return Or(subs, boost=boost)


def _in_capitals(a: WordAnalysis) -> str | None:
    """The index term of a known acronym typed in lowercase (бұұ is БҰҰ too), else None."""
    return acronyms.key(a.normalized) if a.stem == a.normalized and acronyms.is_known(a.normalized) else None


def _take_highlights(plan: QueryPlan, q) -> None:
    """Add to ``plan`` what the words of ``q`` that are not negated highlight (:func:`_word_query`):
    ``қоғам NOT кеңес`` does not mark кеңес in the hits."""
    for leaf in _positive_leaves(q):
        got = getattr(leaf, "highlights", None)
        if got is not None:
            stem, normalized, folded = got
            plan.stems.add(stem)
            plan.exact.add(normalized)
            if folded is not None:
                plan.folded.add(folded)


def _query_word(raw: str, ctx: str):
    """The terms one free-text word is ranked by (see :mod:`searchkz.rank`)."""
    from searchkz.rank import QueryWord

    qw = QueryWord(raw)
    for a in _word_alternatives(raw, ctx):
        qw.stems.add(a.stem)
        capitals = _in_capitals(a)
        if capitals:
            qw.stems.add(capitals)
        qw.exact.add(a.normalized)
        if a.lang != KIND_KAZAKH or a.stem.isupper():  # (an acronym: no respellings)
            continue
        if not has_kazakh_letter(a.normalized):
            qw.folded.add(a.folded)
        if _LATIN_LETTER_RE.search(raw) and not _CYRILLIC_RE.search(raw):
            qw.latin.add(a.normalized)  # transliterated: и/й, е/э, х/һ, a dropped ь … are guesses
        elif not has_kazakh_letter(a.normalized):
            qw.unfold.add(a.normalized)
    return qw


_HYPHEN_RE = re.compile("[-\u2010\u2011]")


def _query_words(raw: str, ctx: str, seen: set) -> list:
    """The ranked words one free-text word stands for: itself or, when it is hyphenated, its
    parts, which the index also has at the word's position (``Тянь-Шаньның`` → ``тянь``,
    ``шаньның``; ``1985-1991`` → ``1985``, ``1991``; ``ТМД-ға`` → ``тмд``), so that the same
    name written with a hyphen, with spaces or inflected after the hyphen still matches.
    (Searching the whole word beside its parts measured lower: it counts the name twice.)"""
    from searchkz.analysis import hyphen_parts

    a = analyze_word(raw, ctx)
    parts = hyphen_parts(a, raw)
    if not parts:
        return [_query_word(raw, ctx)]
    # each part as typed (a Latin or Russian-keyboard part keeps its respellings)
    typed = {analyze_word(piece, ctx).normalized: piece for piece in _HYPHEN_RE.split(raw) if piece}
    out = []
    if not _HYPHEN_RE.search(a.stem):  # a number before a word (2019-жылы): the number, then the word
        seen.add(a.stem)
        out.append(_query_word(raw, ctx))
    for p in parts:
        if p.stem not in seen:
            seen.add(p.stem)
            out.append(_query_word(typed.get(p.normalized, p.normalized), ctx))
    return out


def _fold(word: str) -> str:
    from searchkz.lang.kk.folding import FOLD

    return "".join(FOLD.get(c, c) for c in word)


def _question_paradigm() -> frozenset:
    """The question pronouns with their plural and case endings (неде, кімдер, қайдағы …):
    a query asks with them, documents do not answer with them."""
    forms = {
        "не": "лер нелер де ге ні нің ден мен сі сін",
        "кім": "дер дерді дердің нің ге ді де нен мен і",
        "қай": "да дан ға сы сысы сысын сысының дағы",
        "қанша": "сы ға да дан лық",
        "қандай": "ы ын ға да дан лар",
        "қашан": "нан ғы",
        "қалай": "ша",
    }
    out = set()
    for base, ends in forms.items():
        out.add(base)
        for e in ends.split():
            out.add(e if e.startswith(base) else base + e)
    return frozenset(out)


_QUESTION_FORMS = _question_paradigm()
_ASK = QUESTION_WORDS | _QUESTION_FORMS
#: Stop and question words as typed without Kazakh letters (кандай, ким, бир).
_FOLDED_STOPS = frozenset(_fold(w) for w in STOP_WORDS | _ASK)
#: "X деп нені атаймыз / айтамыз / аталады": after деп, a verb of naming or saying only frames the question.
_NAMING_AFTER_DEP = ("ата", "айт", "дей", "атал")


def _is_stop(normalized: str, previous: str = "") -> bool:
    if normalized in STOP_WORDS or normalized in _ASK:
        return True
    if previous == "деп" and normalized.startswith(_NAMING_AFTER_DEP):
        return True
    return not has_kazakh_letter(normalized) and normalized in _FOLDED_STOPS


def _content_words(text: str, ctx: str) -> list[str]:
    words = [m.group() for m in WORD_RE.finditer(text)]
    keep = []
    prev = ""
    for w in words:
        n = analyze_word(w, ctx).normalized
        stop = _is_stop(n, prev)
        prev = n if n not in ("нені", "не", "кімді") else prev  # "деп нені атаймыз"
        if stop:
            continue
        keep.append(w)
    return keep or words  # a query of only stop words searches them anyway


def build_query(text: str) -> QueryPlan:
    """Turn the user's query string into a Whoosh query (see the module docstring)."""
    if not isinstance(text, str):
        raise QueryError("the query must be a string")
    text = text.strip()
    if not text:
        raise QueryError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    ctx = query_context(text)
    if ctx == "latn":
        # Kazakh Latin capitals: I is ı (і), İ is i (и); only in words without Cyrillic letters
        text = _LATIN_WORD_RE.sub(lambda m: latin_lower(m.group()) if "I" in m.group() or "\u0130" in m.group() else m.group(), text)
    plan = QueryPlan(query=None, text=text, ctx=ctx)
    if has_syntax(text):
        plan.query = _parse_syntax(_minus_to_not(text), ctx, plan)  # (-word is NOT word)
    else:
        from whoosh.query import Or

        text = _exclude_words(text, ctx, plan)
        words = _content_words(text, ctx)
        if not words:
            raise QueryError(f"the query {text!r} has no words to search for")
        if all(analyze_word(w, ctx).stop for w in words):  # (no index holds them: nothing could match)
            raise QueryError(f"the query {text!r} has only stop words, which are not indexed: "
                             "no words to search for")
        # the same word twice counts once
        seen = set()
        groups = []
        for w in words:
            key = analyze_word(w, ctx).stem
            if key in seen:
                continue
            seen.add(key)
            groups.append(_word_query(w, ctx, plan))
            _take_highlights(plan, groups[-1])
            plan.qwords.extend(_query_words(w, ctx, seen))
        plan.query = groups[0] if len(groups) == 1 else Or(groups, scale=COORD_SCALE)
        add_acronyms(plan, [analyze_word(w, ctx).stem for w in words], {})
    return plan


def _exclude_words(text: str, ctx: str, plan: QueryPlan) -> str:
    """The free text without its excluded words (``қоғам -кеңес``), which go to ``plan.excluded``:
    the articles with one of them, in any form the word would be searched by, are left out.

    A minus before a bracket leaves out each word in it (``-(кеңес ұйым)``, as ``NOT (кеңес OR ұйым)``
    in a syntax query); before a quotation, the articles with all its words (``-"қоғамдық кеңес"``,
    ``-«қоғамдық кеңес»``: free text has no phrases, the words together stand for it).  Either way
    none of its words is searched for: the minus took only the first, and the others were ranked."""
    minus = _MINUS_WORD_RE.findall(text)
    if not minus:
        return text
    for token in minus:
        words = [_query_word(w, ctx) for w in WORD_RE.findall(token) if not analyze_word(w, ctx).stop]
        if token[:1] in "\"«" and len(token) > 1 and token[-1:] in "\"»":
            plan.excluded.extend([words] if words else [])
        else:
            plan.excluded.extend([w] for w in words)
    rest = _MINUS_WORD_RE.sub(" ", text)
    if not WORD_RE.search(rest):
        raise QueryError(f"the query {text!r} only excludes words (-word): it has no words to search for")
    return rest


def add_learned_acronyms(plan: QueryPlan, reader) -> None:
    """:func:`add_acronyms` with the acronyms the index's own articles define (a free-text query)."""
    learned = acronyms.learned(reader)
    if learned and plan.qwords:
        add_acronyms(plan, [analyze_word(w, plan.ctx).stem for w in plan.words], learned)


#: The weight of an acronym searched for a full name typed, per word of the name (it stands for
#: all of them: the articles that write only the acronym rank above those with a word or two of
#: the name, below those with the name typed); and of a full name's words searched for an
#: archive's own acronym (below the acronym typed).
ACRONYM_WEIGHT = 1.0
LEARNED_NAME_WEIGHT = 0.5


def add_acronyms(plan: QueryPlan, stems: list, learned: dict) -> None:
    """A free-text query's acronyms and full names (:mod:`searchkz.acronyms`): a full name typed
    also searches its acronym; an acronym typed is found in the full names (the index has the
    acronym's term there) and, for an archive's own definitions (``learned``), also searches the
    full name's words; the full names are highlighted."""
    from searchkz.rank import QueryWord

    local = acronyms.local_names([(acr, name) for acr, names in learned.items() for name in names])
    have = {s for qw in plan.qwords for s in qw.stems}
    typed = set()  # acronyms typed as such (not found for a full name)
    for qw in plan.qwords:
        typed.update(s for s in qw.stems if s.isupper())
    for first, end, acr in acronyms.find_names(stems, local, query=True):
        named = {acronyms.name_stems(n) for n in acronyms.meanings(acr) + list(learned.get(acr, ()))}
        # an acronym with another meaning too (ҚК: қоғамдық кеңес, қарулы күштер) would find that
        # meaning's articles: only an acronym that stands for this name alone is searched for it
        if acr not in have and len(named) == 1:  # the acronym stands for all the name's words: weighed as that many
            have.add(acr)
            plan.qwords.append(QueryWord(acr, {acr}, set(), weight=ACRONYM_WEIGHT * (end - first)))
            plan.stems.add(acr)
    for qw in [qw for qw in plan.qwords if qw.stems & typed]:
        for acr in [s for s in qw.stems if s.isupper()]:
            names = acronyms.full_names(acr) + [n for n in learned.get(acr, ()) if n not in acronyms.full_names(acr)]
            for name in names:
                ns = acronyms.name_stems(name)
                if ns and ns not in plan.names:
                    plan.names.append(ns)
            for name in learned.get(acr, ()):
                for w in WORD_RE.findall(name):
                    a = analyze_word(w)
                    if not a.stop and a.stem not in have:
                        have.add(a.stem)
                        plan.qwords.append(QueryWord(w, {a.stem}, {a.normalized}, weight=LEARNED_NAME_WEIGHT))


def _parse_syntax(text: str, ctx: str, plan: QueryPlan):
    from whoosh import query as wq
    from whoosh.qparser import FuzzyTermPlugin, OrGroup, QueryParser
    from whoosh.qparser.dateparse import DateParserPlugin

    class _Parser(QueryParser):
        def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
            if fieldname in _WORD_FIELDS and termclass is wq.Term:
                # stop words are not indexed (as Whoosh's own parser does, they leave the query,
                # not a term that matches nothing: "қоғам AND және" is "қоғам")
                words = [m.group() for m in WORD_RE.finditer(text) if not analyze_word(m.group(), ctx).stop]
                if not words:
                    return None
                qs = [_word_query(w, ctx, plan, boost, _WORD_FIELDS[fieldname]) for w in words]
                return qs[0] if len(qs) == 1 else wq.And(qs)
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)

    from searchkz.index import make_schema

    # folded: (a field of searchkz before index version 3) searches the word like a plain word
    text = _FOLDED_FIELD_RE.sub("", text)
    plan.text = text
    parser = _Parser("body", make_schema(), group=OrGroup.factory(COORD_SCALE))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(DateParserPlugin(free=False))
    try:
        q = parser.parse(text)
    except Exception as exc:  # whoosh raises assorted errors on odd input
        if "disambiguated" in str(exc):  # (Whoosh's date parser: "now" at an open end of a range)
            raise QueryError(f"cannot parse query {text!r}: a date range open at one end cannot use "
                             "'now' (write both ends: date:[2019 TO now])") from None
        raise QueryError(f"cannot parse query {text!r}: {exc}") from None
    if q is None or q is wq.NullQuery:
        raise QueryError(f"the query {text!r} has no words to search for")
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        if getattr(leaf, "error", None):
            raise QueryError(f"cannot parse query {text!r}: {leaf.error}")
    q = _fix_not(q).accept(_day_ranges)
    _take_highlights(plan, q)
    for leaf in _positive_leaves(q):
        if isinstance(leaf, wq.Phrase):
            if leaf.slop <= 1 and len(leaf.words) > 1:  # highlighted where the phrase is, not its words alone
                if tuple(leaf.words) not in plan.names:
                    plan.names.append(tuple(leaf.words))
            else:
                plan.stems.update(leaf.words)
    return q


#: Fields whose plain words a syntax query expands (stems, exact form, respellings).
_WORD_FIELDS = {"body": ("body", "title", "exact"), "title": ("title",)}
_FOLDED_FIELD_RE = re.compile(r"(?<![\w])folded:(?=\S)")


def _day_ranges(q):
    """``date`` is indexed by day (:func:`searchkz.index.index_day`): a range starting
    within a day starts at that day's beginning, so ``date:"2019-10-10 20:47"`` still
    finds the article of 20:47 (and every other article of that day)."""
    from whoosh import query as wq

    from searchkz.index import index_day

    if isinstance(q, wq.DateRange) and q.fieldname == "date" and q.startdate is not None:
        start = q.startdate
        if q.startexcl:  # after start: from the day of its next microsecond ({2019-10-10 is the 11th on)
            start += timedelta(microseconds=1)
        day = index_day(start)
        if day != q.startdate or q.startexcl:
            return wq.DateRange(q.fieldname, day, q.enddate, False, q.endexcl, q.boost, q.constantscore)
    return q


def respell_query(plan: QueryPlan, ranker) -> None:
    """Resolve a syntax query's words typed without Kazakh letters or in Latin against the
    index: each stands for the spellings of it that the index has (``когам`` → ``қоғам``;
    :meth:`searchkz.rank.Ranker.readings`, weighted as in the ranking), also inside a phrase
    (``"когамдык кенес"``), and a prefix pattern typed without them that no indexed word begins
    with for the indexed prefixes it may stand for (``ког*`` → ``қоғ*``).  Adds the respellings
    of the words that are not negated to the terms to highlight."""
    from whoosh import query as wq

    from searchkz.rank import PARAMS

    respell = _respell_class()
    changed = []
    positive = {id(leaf) for leaf in _positive_leaves(plan.query)}

    def readings(word, leaf):
        out = ranker.readings(word, PARAMS)[1:]  # the first is the word as typed
        if id(leaf) in positive:
            for stems, exacts, _w in out:
                plan.stems.update(stems)
                plan.exact.update(exacts)
        return out

    def fix(q):
        if isinstance(q, respell):
            changed.append(q)
            subs = []
            for stems, exacts, w in readings(q.word, q):
                for f in q.fields:
                    for t in sorted(exacts if f == "exact" else stems):
                        subs.append(wq.Term(f, t, boost=w * _FIELD_WEIGHTS[f]))
            return wq.Or(subs) if subs else wq.NullQuery
        if isinstance(q, wq.Phrase) and q.fieldname in _WORD_FIELDS and q.char_ranges:
            fixed = _respell_phrase(q, plan, lambda word: readings(word, q))
            if fixed is not q:
                changed.append(q)
            return fixed
        if (type(q) is wq.Prefix and _CYRILLIC_RE.search(q.text) and not has_kazakh_letter(q.text)
                and not ranker.has_prefix(q.fieldname, q.text)):  # (а* stays а*, not ә* too)
            alts = ranker.respellings(q.text, fieldname=q.fieldname, prefixes=True)
            if alts:
                changed.append(q)
                return _prefixes_class()(q.fieldname, q.text, alts, boost=q.boost)
        return q

    q = plan.query.accept(fix)
    if changed:  # words without respellings leave NullQuery leaves behind
        plan.query = q.normalize()


def _respell_phrase(q, plan: QueryPlan, readings):
    """A phrase whose words typed without Kazakh letters also match their indexed spellings:
    a sequence of (typed stem OR respelled stems) at adjacent positions."""
    from whoosh import query as wq

    slots = []
    changed = False
    for stem, (s, e) in zip(q.words, q.char_ranges):
        alts = {stem}
        if s is not None and e is not None:
            qw = _query_word(plan.text[s:e], plan.ctx)
            if qw.unfold or qw.latin:
                for stems, exacts, _w in readings(qw):
                    alts |= (stems - exacts) or stems  # positions hold stems, not surface forms
        changed = changed or len(alts) > 1
        slots.append(wq.Or([wq.Term(q.fieldname, t) for t in sorted(alts)]) if len(alts) > 1
                     else wq.Term(q.fieldname, stem))
    if not changed:
        return q
    return wq.Sequence(slots, slop=q.slop, boost=q.boost)


@functools.cache
def _prefixes_class():
    """The leaf of a prefix pattern typed without Kazakh letters (``ког*``) that stands for the
    indexed prefixes it may be spelled as (``қоғ*``, …): one pattern, so that it is capped at
    :data:`searchkz.bounds.MAX_EXPANSIONS` terms in all and its notice names what was typed.  An
    OR of one pattern per prefix was capped per prefix (some 50 terms each) and named ``қоғ*``."""
    from whoosh import query as wq

    class Prefixes(wq.Prefix):
        def __init__(self, fieldname: str, text: str, alternatives, boost: float = 1.0, constantscore: bool = True):
            super().__init__(fieldname, text, boost, constantscore)
            self.alternatives = tuple(alternatives)

        def __eq__(self, other) -> bool:
            return super().__eq__(other) and self.alternatives == other.alternatives

        def __hash__(self) -> int:
            return super().__hash__() ^ hash(self.alternatives)

        def __repr__(self) -> str:
            return f"Prefixes({self.fieldname!r}, {self.text!r}, {list(self.alternatives)!r})"

        def _btexts(self, ixreader):
            for p in self.alternatives:  # (prefixes of one length: no term begins with two of them)
                yield from ixreader.expand_prefix(self.fieldname, p)

    return Prefixes


@functools.cache
def _and_not_class():
    """Whoosh's ``AndNot`` with a matcher that checks the first match too.  Whoosh's
    ``AndNotMatcher`` skips the excluded list to the first candidate only when both begin at
    the same document: when the excluded list begins earlier, the first candidate was kept
    whether it had the excluded word or not (``кеңес NOT ұйым`` kept the first article with
    both, ``кеңес AND NOT ұйым`` left it out)."""
    from whoosh import matching
    from whoosh import query as wq

    class _AndNotMatcher(matching.AndNotMatcher):
        def _find_first(self):
            if self.a.is_active() and self.b.is_active():
                self._find_next()  # (skips the excluded list up to the candidate, then past both)

    class AndNot(wq.AndNot):  # (same name: same repr)
        def matcher(self, searcher, context=None):
            return _AndNotMatcher(self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context()))

    return AndNot


def _fix_not(q):
    """``a NOT b`` under the parser's OR grouping is ``Or([a, Not(b)])`` — every document
    without b.  Rewrite each such Or to ``AndNot(Or(positives), Or(negatives))``, and every
    ``AndNot`` (``a ANDNOT b``) to the one whose matcher checks its first match
    (:func:`_and_not_class`)."""
    from whoosh import query as wq

    if q.is_leaf():
        return q
    if isinstance(q, wq.AndNot):
        return _and_not_class()(_fix_not(q.a), _fix_not(q.b))
    if isinstance(q, wq.Or) and not isinstance(q, wq.DisjunctionMax):
        kids = [_fix_not(c) for c in q.subqueries]
        pos = [c for c in kids if not isinstance(c, wq.Not)]
        neg = [c.query for c in kids if isinstance(c, wq.Not)]
        if neg and pos:
            posq = pos[0] if len(pos) == 1 else wq.Or(pos, boost=q.boost)
            negq = neg[0] if len(neg) == 1 else wq.Or(neg)
            return _and_not_class()(posq, negq)
        q = q.copy()
        q.subqueries = kids
        return q
    if hasattr(q, "subqueries"):
        q = q.copy()
        q.subqueries = [_fix_not(c) for c in q.subqueries]
    return q


def _positive_leaves(q) -> Iterable:
    """Leaves of the query tree that are not negated (their matches are highlighted)."""
    from whoosh import query as wq

    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


def expand_highlight_terms(plan: QueryPlan, reader) -> None:
    """Add the index terms that fuzzy/wildcard/prefix leaves expanded to."""
    from whoosh import query as wq

    for leaf in _positive_leaves(plan.query):
        if isinstance(leaf, (wq.Term, wq.Phrase)) and not isinstance(leaf, (wq.FuzzyTerm, wq.Variations)):
            if isinstance(leaf, wq.Term) and leaf.fieldname in ("title", "body"):
                plan.stems.add(leaf.text)
            continue
        if not hasattr(leaf, "expanded_terms"):
            continue
        try:
            for fname, btext in leaf.expanded_terms(reader):
                t = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                if fname in ("body", "title"):
                    plan.stems.add(t)
                elif fname == "exact":
                    plan.exact.add(t)
        except Exception:
            continue


# -- snippets ----------------------------------------------------------------


def match_spans(text: str, plan: QueryPlan, limit: int | None = SNIPPET_SCAN_CHARS) -> list[tuple[int, int, str]]:
    """``(start, end, key)`` for every word of ``text`` that the query matched."""
    from searchkz.analysis import find_words, hyphen_parts, may_match, term_prefixes
    from searchkz.stemmer import stem_heads

    scan = text if limit is None else text[:limit]
    stems, exact, folded = plan.stems, plan.exact, plan.folded

    if plan.prefixes is None:
        plan.prefixes = term_prefixes(stems | exact | folded)
    if plan.folded_heads is None:
        plan.folded_heads = stem_heads(folded, folded=True)
    folded_heads = plan.folded_heads

    name_stems = {s for ns in plan.names for s in ns}
    if name_stems and not plan.prefixes >= term_prefixes(name_stems):
        plan.prefixes = plan.prefixes | term_prefixes(name_stems)
    if plan.heads is None:
        plan.heads = stem_heads(stems | name_stems)
    heads, with_folded = plan.heads, folded_heads if folded else None

    def has_term(a: WordAnalysis) -> bool:
        return a.stem in stems or a.normalized in exact or bool(folded and a.folded_in(folded, folded_heads))

    def matched(a: WordAnalysis) -> bool:  # (or a part the index has at the word: Нұр-Сұлтан for сұлтан)
        return has_term(a) or any(map(has_term, hyphen_parts(a)))

    def want(a: WordAnalysis) -> bool:
        return matched(a) or a.stem in name_stems

    words = find_words(scan, want, plan.prefixes, plan.judged, lambda raw: may_match(raw, heads, exact, with_folded))
    if name_stems:
        words = _full_names_only(scan, words, plan.names, matched)
    return [(s, e, a.stem if (a.stem in stems or a.normalized in exact or a.stem in name_stems) else a.folded)
            for s, e, a in words]


_BETWEEN_NAME_WORDS = re.compile(r"[\s,]*(?:[^\W\d_]+[\s,]+)?")


def _full_names_only(text: str, found: list, names: list, matched) -> list:
    """``found`` (``(start, end, analysis)``) without the words that are only in a full name of the
    query's acronyms (``names``: their stems) and not in one written out in a row (a function
    word may come between)."""
    keep = [matched(a) for _s, _e, a in found]
    for ns in names:
        n = len(ns)
        for i in range(len(found) - n + 1):
            if all(found[i + j][2].stem == ns[j] for j in range(n)) and all(
                _BETWEEN_NAME_WORDS.fullmatch(text[found[i + j][1] : found[i + j + 1][0]]) for j in range(n - 1)
            ):
                for j in range(n):
                    keep[i + j] = True
    return [f for f, k in zip(found, keep) if k]


def hit_fields(searcher, docnum: int, plan) -> tuple[dict, str, list, list]:
    """``(stored fields but the text, snippet, its highlights, the title's highlights)`` of a hit
    (``plan``: the :class:`~searchkz.search.QueryPlan` whose terms to highlight; None: no snippet)."""
    from searchkz.index import unpack_text

    f = dict(searcher.stored_fields(docnum))
    text = f.pop("text", b"")
    if plan is None:
        return f, "", [], []
    snippet, spans = make_snippet(unpack_text(text), plan)
    tspans = [(s, e) for s, e, _ in match_spans(f.get("title", ""), plan)]
    return f, snippet, spans, tspans


def make_snippet(text: str, plan: QueryPlan, width: int = SNIPPET_WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """Cut a snippet of about ``width`` characters around the best cluster of matches.

    Returns ``(snippet, spans)``; ``snippet[s:e]`` is the original matched
    substring for every span.  Whitespace runs are collapsed to one space.
    """
    spans = match_spans(text, plan)
    if spans:
        best_i, best_j, best_score = 0, 0, (-1, -1)
        j = 0
        for i in range(len(spans)):
            if j < i:
                j = i
            while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= width:
                j += 1
            window = spans[i : j + 1]
            score = (len({k for _, _, k in window}), len(window))
            if score > best_score:
                best_i, best_j, best_score = i, j, score
        first, last = spans[best_i][0], spans[best_j][1]
        slack = max(0, width - (last - first))
        start = max(0, first - slack // 3)
        end = min(len(text), max(last, start + width))
    else:
        start, end = 0, min(len(text), width)
    # snap to word boundaries
    if start > 0:
        sp = text.rfind(" ", max(0, start - 20), start + 1)
        nl = text.rfind("\n", max(0, start - 60), start + 1)
        cut = max(sp, nl)
        if cut >= 0:
            start = cut + 1
    if end < len(text):
        sp = text.find(" ", end, end + 20)
        if sp >= 0:
            end = sp
    piece = text[start:end]
    local = [(s - start, e - start) for s, e, _ in spans if s >= start and e <= end]
    snippet, local = _collapse_ws(piece, local)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    if prefix:
        local = [(s + 1, e + 1) for s, e in local]
    return prefix + snippet + suffix, local


_WS_RE = re.compile(r"\s+")
_WS_RUN_RE = re.compile(r"\s\s+")


def _collapse_ws(piece: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Collapse whitespace runs to one space and strip, remapping the spans."""
    s = _WS_RE.sub(" ", piece)
    runs = [m.span() for m in _WS_RUN_RE.finditer(piece)]  # (runs of two or more: they shrink)

    def at(i: int) -> int:  # where character i of piece is in the collapsed text
        shift = 0
        for a, b in runs:
            if i <= a:
                break
            if i < b:  # inside a run: its one space
                return a - shift
            shift += b - a - 1
        return i - shift

    lead = len(s) - len(s.lstrip())
    s2 = s.strip()
    new = [(at(a) - lead, at(b - 1) + 1 - lead) for a, b in spans]
    return s2, [(a, b) for a, b in new if 0 <= a < b <= len(s2)]


# -- "did you mean" ------------------------------------------------------------

def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (adjacent transpositions count 1)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _known(reader, a: WordAnalysis) -> bool:
    for fieldname, term in (("exact", a.normalized), ("body", a.stem), ("title", a.stem)):
        try:
            if (fieldname, term.encode("utf-8")) in reader:
                return True
        except Exception:
            continue
    return False


def correct_word(reader, word: str, ctx: str = "", ranker=None) -> str | None:
    """The indexed word ``word`` most likely stands for, or None when ``word`` is known or nothing is close:
    its spelling with Kazakh letters (``олендери`` → ``өлеңдері``) when the index has one, else the
    nearest indexed word (edit distance 1, or 2 for words of 6+ letters; ties go to the word in more documents)."""
    a = analyze_word(word, ctx)
    if a.lang not in (KIND_KAZAKH, KIND_ENGLISH) or len(a.normalized) < 3 or _known(reader, a):
        return None
    if ranker is not None and a.lang == KIND_KAZAKH and not has_kazakh_letter(a.normalized):
        alts = [t for t in ranker.respellings(a.normalized) if t != a.normalized]
        if alts:
            return max(alts, key=lambda t: (reader.doc_frequency("exact", t), t))
    maxdist = 1 if len(a.normalized) < 6 else 2
    best = None
    try:
        candidates = reader.terms_within("exact", a.normalized, maxdist, prefix=1)
    except Exception:
        return None
    for cand in candidates:
        cand = cand.decode("utf-8") if isinstance(cand, bytes) else cand
        if cand == a.normalized:
            continue
        key = (_edit_distance(a.normalized, cand), -reader.doc_frequency("exact", cand), cand)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def suggest(text: str, reader, ranker=None) -> str | None:
    """A respelling of the query with its unknown words replaced by the nearest indexed words
    (``алағашқы адамдар`` → ``алғашқы адамдар``), or None when every word is known or has no near neighbour."""
    if has_syntax(text):
        return None
    ctx = query_context(text)
    out = []
    last = 0
    changed = False
    for m in WORD_RE.finditer(text):
        w = m.group()
        if _is_stop(analyze_word(w, ctx).normalized):
            continue
        fix = correct_word(reader, w, ctx, ranker)
        if fix:
            if w[:1].isupper():
                fix = fix[:1].upper() + fix[1:]
            out.append(text[last : m.start()])
            out.append(fix)
            last = m.end()
            changed = True
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out).strip()
