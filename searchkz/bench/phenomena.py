"""How searchkz handles what Kazakh news writes on every page, measured on KazNERD's
news sentences as documents (issue 17).

``python -m searchkz.bench.phenomena --sentences sentences.jsonl --workdir DIR [--json OUT] [--min-docs 3]``

indexes the sentences (once, in ``DIR``) and reports, with every query searched to the end:

* **acronym -> full name**: for each acronym of ``searchkz/lang/kk/acronyms.py`` whose full name
  is spelled out (without the acronym) in ``--min-docs`` sentences or more, the acronym as the
  query: the share of those sentences found (recall) and the share of the top 10 that mention
  the name either way (precision; of the top k when only k < 10 sentences mention it);
* **full name -> acronym**: for each acronym written (without its full name) in ``--min-docs``
  sentences or more, its first full name as the query: the same two numbers on the sentences
  that write only the acronym;
* **hyphenated suffixes**: every acronym (a word of 2-6 capitals) and year (1900-2099) that
  occurs with a suffix after a hyphen (``АҚШ-тың``, ``2019-жылы``), as the query: the share of
  the sentences with any form of it that are found.

Relevance is decided from the text alone, without searchkz's analysis: a full name occurs
where each of its words begins a word of the sentence, in a row (a word's beginning: all but
its last two letters, at least three, or that beginning with the high vowel a few stems drop
restored: "орны" begins "орн" or "орын", so "оқу орындары" mentions "оқу орны", as "аузы" and
"ауыз" do); an acronym where it is written in capitals, alone or before a hyphen.  The
**baseline** in the same run is the text's own literal matches: the sentences that contain the
query as a word exactly as typed (what a search without stems, suffix rules or acronym
expansion can find).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

_WORD = re.compile(r"[^\W_]+")
_VOWELS = set("аәеёиоөуұүыіэюя")
_BACK = set("аоұы")
_UPPER = "А-ЯЁӘҒҚҢӨҰҮҺІ"
_HYPHENATED = re.compile(rf"(?<![\w-])([{_UPPER}]{{2,6}}|(?:19|20)\d\d)-[а-яёәғқңөұүһі]+")
DEPTH = 100_000


def load_sentences(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _beginnings(word: str) -> tuple:
    """A name word's beginnings: all but its last two letters (at least three), and, when that
    ends in two consonants, the same with the dropped high vowel put back (орны: орн, орын)."""
    pre = word[: max(3, len(word) - 2)]
    if len(pre) >= 3 and not (_VOWELS & set(pre[-2:])):
        high = "ы" if any(c in _BACK for c in word) else "і"
        return pre, pre[:-1] + high + pre[-1]
    return (pre,)


def _prefixes(name: str) -> list[tuple]:
    return [_beginnings(w) for w in _WORD.findall(name.lower())]


def mentions_name(words: list[str], prefixes: list[tuple]) -> bool:
    """Do ``words`` (a sentence's, lowercase) contain the name's words in a row (by their beginnings)?"""
    n = len(prefixes)
    for i in range(len(words) - n + 1):
        if all(words[i + j].startswith(prefixes[j]) for j in range(n)):
            return True
    return False


def mentions_acronym(text: str, acronym: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(acronym)}(?![^\W_])", text) is not None


_WHOLE_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def literal(text: str, query: str) -> bool:
    """The baseline: the query's words, exactly as typed (case aside), in the text as whole words
    (a hyphenated word is one word: ``АҚШ-тың`` is not ``АҚШ``)."""
    words = set(_WHOLE_WORD.findall(text.lower()))
    return all(w in words for w in _WHOLE_WORD.findall(query.lower()))


def build(sentences_path: str | Path, workdir: str | Path):
    from searchkz.api import Index

    ix = Index(Path(workdir) / "index")
    if not ix.exists():
        ix.reindex(sentences_path, full=True)
    return ix


def found(ix, query: str) -> list[str]:
    # copies not collapsed: every sentence is judged (KazNERD repeats sentences, which collapse into
    # one hit "+N")
    return [h.id for h in ix.search(query, limit=DEPTH, snippets=False, collapse=False)]


def _case(ix, query: str, targets: set, relevant: set, texts: dict) -> dict:
    hits = found(ix, query)
    top = hits[: min(10, len(relevant))]  # (fewer than 10 relevant sentences: the top that many)
    base = {d for d in targets if literal(texts[d], query)}
    return {
        "query": query,
        "targets": len(targets),
        "found": len(targets & set(hits)),
        "recall": len(targets & set(hits)) / len(targets),
        "p10": sum(d in relevant for d in top) / len(top) if top else 0.0,
        "baseline_recall": len(base) / len(targets),
    }


def acronym_cases(ix, docs: list[dict], min_docs: int) -> tuple[list[dict], list[dict]]:
    from searchkz.lang.kk.acronyms import ACRONYMS

    texts = {d["id"]: d["text"] for d in docs}
    words = {d["id"]: [w.lower() for w in _WORD.findall(d["text"])] for d in docs}
    to_name, to_acr = [], []
    for acr, names in sorted(ACRONYMS.items()):
        pre = [_prefixes(n) for n, _src in names]
        by_name = {i for i, w in words.items() if any(mentions_name(w, p) for p in pre)}
        by_acr = {i for i, t in texts.items() if mentions_acronym(t, acr)}
        relevant = by_name | by_acr
        if len(by_name - by_acr) >= min_docs:
            to_name.append({"acronym": acr, **_case(ix, acr, by_name - by_acr, relevant, texts)})
        if len(by_acr - by_name) >= min_docs:
            to_acr.append({"acronym": acr, **_case(ix, names[0][0], by_acr - by_name, relevant, texts)})
    return to_name, to_acr


def hyphen_cases(ix, docs: list[dict]) -> list[dict]:
    texts = {d["id"]: d["text"] for d in docs}
    bases = sorted({m.group(1) for t in texts.values() for m in _HYPHENATED.finditer(t)})
    out = []
    for b in bases:
        any_form = re.compile(rf"(?<![\w-]){re.escape(b)}(?![^\W_])")
        targets = {i for i, t in texts.items() if any_form.search(t)}
        out.append(_case(ix, b, targets, targets, texts))
    return out


def summary(cases: list[dict]) -> dict:
    if not cases:
        return {"queries": 0}
    t = sum(c["targets"] for c in cases)
    return {
        "queries": len(cases),
        "targets": t,
        "recall_micro": round(sum(c["found"] for c in cases) / t, 4),
        "recall_macro": round(sum(c["recall"] for c in cases) / len(cases), 4),
        "recall_min": round(min(c["recall"] for c in cases), 4),
        "p10_macro": round(sum(c["p10"] for c in cases) / len(cases), 4),
        "p10_min": round(min(c["p10"] for c in cases), 4),
        "baseline_recall_micro": round(sum(c["baseline_recall"] * c["targets"] for c in cases) / t, 4),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m searchkz.bench.phenomena", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", required=True, help="KazNERD sentences.jsonl")
    ap.add_argument("--workdir", required=True, help="where the index is built (reused when present)")
    ap.add_argument("--json", help="write the cases and the summary here")
    ap.add_argument("--min-docs", type=int, default=3, help="fewest target sentences for an acronym to count")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    docs = load_sentences(args.sentences)
    ix = build(args.sentences, args.workdir)
    to_name, to_acr = acronym_cases(ix, docs, args.min_docs)
    hyph = hyphen_cases(ix, docs)
    report = {
        "acronym_to_full_name": summary(to_name),
        "full_name_to_acronym": summary(to_acr),
        "hyphenated_suffix": summary(hyph),
    }
    print(f"{len(docs)} sentences, {time.perf_counter() - started:.0f} s")
    for key, cases in (("acronym_to_full_name", to_name), ("full_name_to_acronym", to_acr), ("hyphenated_suffix", hyph)):
        print(f"\n{key}: {report[key]}")
        for c in cases:
            if key != "hyphenated_suffix" or c["recall"] < 0.98:
                print(f"  {c['query']!r:45} {c['found']:4}/{c['targets']:<4} recall {c['recall']:.3f}"
                      f"  P@10 {c['p10']:.2f}  baseline recall {c['baseline_recall']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({**report, "cases": {"acronym_to_full_name": to_name,
                                                                    "full_name_to_acronym": to_acr,
                                                                    "hyphenated_suffix": hyph}},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
