"""Evaluate the Kazakh stemmer against UD lemmas, and build its lexicon.

Usage::

    python -m searchkz.bench.stemmer GOLD.tsv [--half 0|1] [--json]
    python -m searchkz.bench.stemmer --build-lexicon KAZNERD.jsonl [KAZQAD_COLLECTION.jsonl ...]
    python -m searchkz.bench.stemmer --build-data [--check]

GOLD.tsv has the columns ``sent_id tok_id form lemma upos xpos feats mwt_form``
(UD_Kazakh-KTB exported as TSV). Over the distinct lowercased alphabetic forms:

* two forms are *gold-together* when their majority gold lemma (lowercased) is
  equal and *system-together* when their stems are equal; pairwise precision,
  recall and F1 compare the two pair sets;
* purity: share of each stem class's forms that belong to its majority lemma;
* compression: distinct stems / distinct forms;
* words/s: distinct forms stemmed per second without a cache (median of 5 runs).

``--half 0`` / ``--half 1`` keeps only the sentences whose id hashes (CRC32) to
that half, for tuning on one half and checking on the other. The baseline is
5-letter truncation, measured in the same run.

``--build-lexicon`` rebuilds ``lang/kk/lexicon.txt.gz`` (the word list) from JSON Lines
files with a ``text`` field (KazNERD sentences, the KazQAD passage collection;
passages whose id starts with ``kaznerd-`` are KazNERD text again and are skipped),
then the stemmer tables. ``--build-data`` rebuilds only ``lang/kk/stemdata.txt.gz``
(suffix-chain tables and stem support, derived from the grammar and the lexicon);
``--check`` exits 1 if the shipped file differs from a fresh build.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import statistics
import sys
import time
import zlib
from pathlib import Path


def read_gold(path, half=None):
    """Distinct lowercased alphabetic forms -> majority gold lemma (lowercased)."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        i_sent, i_form, i_lemma = header.index("sent_id"), header.index("form"), header.index("lemma")
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) <= i_lemma:
                continue
            if half is not None and zlib.crc32(cols[i_sent].encode()) % 2 != half:
                continue
            form = cols[i_form].lower()
            if not form.replace("-", "").isalpha() or form.startswith("-") or form.endswith("-"):
                continue
            counts[form][cols[i_lemma].lower()] += 1
    return {f: c.most_common(1)[0][0] for f, c in counts.items()}


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def evaluate(gold: dict, fn, runs: int = 5) -> dict:
    forms = sorted(gold)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for w in forms:
            fn(w)
        times.append(time.perf_counter() - t0)
    stems = {w: fn(w) for w in forms}
    by_stem = collections.defaultdict(collections.Counter)
    by_lemma = collections.Counter()
    for w in forms:
        by_stem[stems[w]][gold[w]] += 1
        by_lemma[gold[w]] += 1
    tp = sum(_pairs(n) for c in by_stem.values() for n in c.values())
    sys_pairs = sum(_pairs(sum(c.values())) for c in by_stem.values())
    gold_pairs = sum(_pairs(n) for n in by_lemma.values())
    p = tp / sys_pairs if sys_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    purity = sum(max(c.values()) for c in by_stem.values()) / len(forms)
    return {
        "forms": len(forms),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "purity": round(purity, 4),
        "compression": round(len(by_stem) / len(forms), 4),
        "words_per_s": round(len(forms) / statistics.median(times)),
    }


def fold_agreement(gold: dict) -> float:
    from searchkz.stemmer import fold, stem, stem_folded

    forms = [w for w in gold if re.fullmatch(r"[а-яёәғқңөұүһі-]+", w)]
    same = sum(fold(stem(w)) == stem_folded(fold(w)) for w in forms)
    return round(same / len(forms), 4) if forms else 1.0


def truncate5(word: str) -> str:
    return word[:5]


def run(gold_path, half=None, as_json=False, out=sys.stdout):
    from searchkz.stemmer import ANALYZER_DATA_VERSION, stem

    gold = read_gold(gold_path, half)
    stem("кітаптар")  # load tables and lexicon outside the timing
    results = {
        "searchkz": evaluate(gold, stem),
        "truncate5": evaluate(gold, truncate5),
    }
    agreement = fold_agreement(gold)
    if as_json:
        for name, res in results.items():
            out.write(json.dumps({"system": name, **res}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"summary": True, "gold": str(gold_path), "half": half,
                              "analyzer_data_version": ANALYZER_DATA_VERSION,
                              "fold_agreement": agreement}) + "\n")
        return results
    cols = ["precision", "recall", "f1", "purity", "compression", "words_per_s"]
    half_note = "" if half is None else f" (half {half})"
    out.write(f"{gold_path}{half_note}: {results['searchkz']['forms']} distinct forms, "
              f"stemmer data {ANALYZER_DATA_VERSION}\n")
    out.write(f"{'system':<10}" + "".join(f"{c:>13}" for c in cols) + "\n")
    for name, res in results.items():
        out.write(f"{name:<10}" + "".join(f"{res[c]:>13}" for c in cols) + "\n")
    out.write(f"fold agreement fold(stem(w)) == stem_folded(fold(w)): {agreement}\n")
    return results


LEXICON_HEADER = """\
# Kazakh word forms attested in KazNERD sentences and KazQAD passages (lowercased,
# Cyrillic only). Derived from IS2AI/KazNERD (Yeshpanov, Khassanov, Varol: "KazNERD:
# Kazakh Named Entity Recognition Dataset", LREC 2022), licensed CC BY 4.0
# (https://creativecommons.org/licenses/by/4.0/), and from IS2AI/KazQAD (Yeshpanov
# et al.: "KazQAD: Kazakh Open-Domain Question Answering Dataset", LREC-COLING 2024),
# licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/).
# Changes: tokenized, lowercased, reduced to a list of distinct words; lines starting
# with + are verb roots and lines starting with = noun stems inferred from them.
# This list is distributed under CC BY-SA 4.0. See lexicon.NOTICE.txt.
"""

_TOKEN = re.compile(r"[а-яёәғқңөұүһі]+")


#: Endings that mark a verb form; a root seen with two of them counts as a verb root.
VERB_ENDINGS = (
    "у", "уға", "уге", "уы", "уі", "ған", "ген", "қан", "кен", "ып", "іп", "п",
    "атын", "етін", "йтын", "йтін", "ады", "еді", "йды", "йді",
    "майды", "мейді", "байды", "бейді", "пайды", "пейді", "мады", "меді", "пады", "педі",
    "маған", "меген", "баған", "беген", "паған", "пеген", "мау", "меу", "бау", "беу", "пау", "пеу",
)

#: Fewest occurrences for a word of this length to enter the lexicon (short tokens are noisy).
MIN_COUNT_BY_LENGTH = {2: 10, 3: 2}


_VOICED_END = {"б": "п", "г": "к", "ғ": "қ"}


def verb_roots(words):
    """Roots seen with at least 3 distinct verb endings (5 for two-letter roots).

    A root voiced before a vowel-initial ending counts for its dictionary form
    (таб-у, таб-ып, тап-қан -> тап; not before -а/-е, where қорғ-ады is қорға-ды)."""
    found = collections.defaultdict(set)
    for w in words:
        for e in VERB_ENDINGS:
            if w.endswith(e):
                r = w[: -len(e)]
                if len(r) >= 2 and any(ch in "аәеиоөуұүыіэюя" for ch in r):
                    if e[0] in "ыіу" and r[-1] in _VOICED_END:
                        r = r[:-1] + _VOICED_END[r[-1]]
                    found[r].add(e)
    return sorted(r for r, es in found.items() if len(es) >= (5 if len(r) == 2 else 3))


def inferred_stems(words, min_words=3):
    """Noun stems (3+ letters) that are not words themselves but start >= min_words
    distinct words as stem + grammatical noun suffix chain (ішінде, ішіне, іші -> іш)."""
    from searchkz.stemmer import _KK, _build_chains, _harmony_ok

    chains, vowels = _build_chains(None), _KK.vowels
    support = collections.defaultdict(set)
    for w in words:
        for i in range(len(w) - 1, 2, -1):
            recs = chains.get(w[i:])
            if not recs:
                continue
            base = w[:i]
            if not any(ch in vowels for ch in base):
                continue
            for after, harmony, verbal, vowel_initial in recs:
                if verbal or base[-1] not in after or not _harmony_ok(base, harmony, _KK):
                    continue
                stem = base
                if vowel_initial:
                    stem = _KK.vowel_drop.get(base) or base[:-1] + _KK.devoice.get(base[-1], base[-1])
                support[stem].add(w)
                break
    words = set(words)
    return sorted(s for s, ws in support.items() if len(ws) >= min_words and s not in words)


def corpus_counts(jsonl_paths):
    """Token counts over JSON Lines files with a ``text`` field (KazNERD text once)."""
    counts = collections.Counter()
    for path in jsonl_paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if str(rec.get("id", "")).startswith("kaznerd-"):
                    continue  # KazQAD's distractor passages are KazNERD sentences again
                counts.update(_TOKEN.findall(rec["text"].lower()))
    return counts


def build_lexicon(jsonl_paths, out_path=None, min_count=1):
    if isinstance(jsonl_paths, (str, Path)):
        jsonl_paths = [jsonl_paths]
    counts = corpus_counts(jsonl_paths)
    from searchkz.lang.kk import suffixes

    # two-letter tokens that are suffixes written apart (да, ға, ке, ма ...) are not stems
    suffix_strings = {
        form for name, value in vars(suffixes).items() if name.isupper() and isinstance(value, tuple)
        for allomorph in value for form in allomorph[:2]
    }
    verbs = verb_roots(counts)
    words = sorted(
        w for w, c in counts.items()
        if len(w) >= 2 and c >= max(min_count, MIN_COUNT_BY_LENGTH.get(len(w), 1))
        and not (len(w) == 2 and w in suffix_strings)
    )
    stems = inferred_stems(words)
    if out_path is None:
        out_path = Path(__file__).resolve().parent.parent / "lang" / "kk" / "lexicon.txt.gz"
    body = "\n".join(words) + "\n" + "\n".join("+" + v for v in verbs) + "\n"
    body += "\n".join("=" + s for s in stems) + "\n"
    data = (LEXICON_HEADER + body).encode("utf-8")
    with open(out_path, "wb") as fh:
        fh.write(gzip.compress(data, 9, mtime=0))
    return out_path, len(words), len(verbs), len(stems)


def stemdata_path() -> Path:
    return Path(__file__).resolve().parent.parent / "lang" / "kk" / "stemdata.txt.gz"


def build_data(out_path=None, check=False):
    """Write (or with ``check`` compare) lang/kk/stemdata.txt.gz: (path, size, same)."""
    from searchkz.stemmer import build_stemdata, load_lexicon

    lexicon_path = Path(__file__).resolve().parent.parent / "lang" / "kk" / "lexicon.txt.gz"
    data = build_stemdata(load_lexicon(lexicon_path.read_bytes()))
    out_path = Path(out_path) if out_path else stemdata_path()
    same = out_path.exists() and out_path.read_bytes() == data
    if not check and not same:
        out_path.write_bytes(data)
    return out_path, len(data), same


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m searchkz.bench.stemmer", description=__doc__.split("\n")[0])
    ap.add_argument("gold", nargs="?", help="gold TSV (UD_Kazakh-KTB columns)")
    ap.add_argument("--half", type=int, choices=(0, 1), help="evaluate one CRC32 half of the sentences")
    ap.add_argument("--json", action="store_true", help="JSON Lines output")
    ap.add_argument("--build-lexicon", metavar="JSONL", nargs="+",
                    help="build lang/kk/lexicon.txt.gz (then the stemmer tables) from KazNERD/KazQAD JSONL")
    ap.add_argument("--build-data", action="store_true",
                    help="rebuild lang/kk/stemdata.txt.gz from the grammar and the shipped lexicon")
    ap.add_argument("--check", action="store_true", help="with --build-data: only compare, exit 1 if stale")
    args = ap.parse_args(argv)
    if args.build_lexicon:
        path, n, nv, ns = build_lexicon(args.build_lexicon)
        print(f"wrote {n} words, {nv} verb roots and {ns} inferred noun stems to {path}")
        args.build_data = True
    if args.build_data:
        path, size, same = build_data(check=args.check)
        if args.check:
            print(f"{path}: {'up to date' if same else 'STALE (run --build-data)'}")
            return 0 if same else 1
        print(f"wrote {path} ({size} bytes)")
        return 0
    if not args.gold:
        ap.error("GOLD.tsv is required")
    run(args.gold, args.half, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
