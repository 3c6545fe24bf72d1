"""Rewrite Kazakh queries the way people and scrapers write them (deterministic).

``python -m searchkz.bench.variants QUERIES.tsv --kind nokazakh|latin|lookalike > out.tsv``

* ``nokazakh`` — typed on a Russian keyboard: ә→а ғ→г қ→к ң→н ө→о ұ→у ү→у һ→х і→и.
* ``latin`` — the official 2021 Latin alphabet (ä ğ q ñ ö ū ü ı i y ş j; Russian-only
  letters as ts ch yo yu ya şç; ъ ь dropped); capitals follow the alphabet
  (І→I, И/Й→İ, Ы→Y).
* ``lookalike`` — scraped text: Latin look-alike letters (a e o p c x y k i h ə ɵ and
  capitals) mixed into the Cyrillic words.  Seeded per query (``--seed``), each
  touched word stays mostly Cyrillic (at most as many Latin letters as Cyrillic
  ones), the way such text is found.

Input and output are ``qid<TAB>query`` lines; the qids are kept.
"""

from __future__ import annotations

import argparse
import random
import sys

from searchkz.lang.kk.folding import FOLD
from searchkz.lang.kk.lookalikes import LATIN_LOOKALIKES
from searchkz.lang.kk.translit import CYRILLIC_TO_LATIN_2021

KINDS = ("nokazakh", "latin", "lookalike")
DEFAULT_SEED = 20240
#: Probability that a word gets look-alikes, and that each eligible letter in it is swapped.
LOOKALIKE_WORD_P = 0.6
LOOKALIKE_LETTER_P = 0.4

_FOLD_TABLE = str.maketrans({**FOLD, **{k.upper(): v.upper() for k, v in FOLD.items()}})
# Cyrillic letter -> Latin look-alike (the inverse of the repair table)
_TO_LOOKALIKE = {cyr: lat for lat, cyr in LATIN_LOOKALIKES.items()}
_LATIN_UPPER = {"ı": "I", "i": "\u0130"}  # Turkic capitals: ı/I, i/İ


def to_nokazakh(text: str) -> str:
    """``Қоғамдық кеңес`` → ``Когамдык кенес``."""
    return text.translate(_FOLD_TABLE)


def _latin_letter(c: str) -> str:
    low = c.lower()
    if low not in CYRILLIC_TO_LATIN_2021:
        return c
    lat = CYRILLIC_TO_LATIN_2021[low]
    if c == low or not lat:
        return lat
    first = _LATIN_UPPER.get(lat[0], lat[0].upper())
    return first + lat[1:]


def to_latin(text: str) -> str:
    """``Қоғамдық кеңес`` → ``Qoğamdyq keñes`` (2021 alphabet)."""
    return "".join(_latin_letter(c) for c in text)


def to_lookalike(text: str, rng: random.Random) -> str:
    """Swap some Cyrillic letters for Latin look-alikes, word by word."""
    out = []
    for word in text.split(" "):
        eligible = [i for i, c in enumerate(word) if c in _TO_LOOKALIKE]
        n_letters = sum(c.isalpha() for c in word)
        if not eligible or rng.random() >= LOOKALIKE_WORD_P:
            out.append(word)
            continue
        chosen = [i for i in eligible if rng.random() < LOOKALIKE_LETTER_P] or [rng.choice(eligible)]
        chosen = chosen[: max(1, n_letters // 2)]  # stays mostly Cyrillic
        chars = list(word)
        for i in chosen:
            chars[i] = _TO_LOOKALIKE[chars[i]]
        out.append("".join(chars))
    return " ".join(out)


def rewrite(queries: list[tuple[str, str]], kind: str, seed: int = DEFAULT_SEED) -> list[tuple[str, str]]:
    """The queries rewritten as ``kind`` (one of :data:`KINDS`); deterministic for a seed."""
    if kind == "nokazakh":
        return [(q, to_nokazakh(t)) for q, t in queries]
    if kind == "latin":
        return [(q, to_latin(t)) for q, t in queries]
    if kind == "lookalike":
        return [(q, to_lookalike(t, random.Random(f"{seed}:{q}"))) for q, t in queries]
    raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")


def main(argv: list[str] | None = None) -> int:
    from searchkz.bench.trec import read_topics

    ap = argparse.ArgumentParser(prog="python -m searchkz.bench.variants", description=__doc__.split("\n\n")[0])
    ap.add_argument("topics", help="qid<TAB>query file")
    ap.add_argument("--kind", required=True, choices=KINDS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the lookalike kind")
    args = ap.parse_args(argv)
    for qid, text in rewrite(read_topics(args.topics), args.kind, args.seed):
        sys.stdout.write(f"{qid}\t{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
