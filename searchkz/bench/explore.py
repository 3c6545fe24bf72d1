"""Measurements of the archive-exploration features (issue #18).

``python -m searchkz.bench.explore dedup --sentences kaznerd/sentences.jsonl --seed-corpus DIR --kazqad collection.jsonl``
    copy detection on a generated set: base articles (KazNERD sentences grouped by a shared
    named entity, so many are on one topic; KazQAD passages, several per Wikipedia article;
    the seed corpus), reprints of 330 of them in groups of 2-6 (changed title, a dropped or
    added paragraph, another outlet's boilerplate, typos) and same-topic non-copies (a
    follow-up reusing one paragraph of a story).  Pairwise precision and recall of "is a
    copy of", and the signature time against ``datasketch`` (if installed) in the same run.

``python -m searchkz.bench.explore similar --kazqad collection.jsonl [--workdir DIR]``
    for each KazQAD passage whose Wikipedia title another passage shares: is a sibling among
    its 5 most similar (``Index.similar``), and the share of all siblings found; the same
    for the baseline, TF-IDF cosine over 5-letter prefixes (of the title and text, and of
    the text alone).  "Siblings found": siblings among the 5 over ``min(5, siblings)``.

``python -m searchkz.bench.explore reindex --sentences FILE --docs 10000 [--runs 3]``
    full reindex time with copy detection on and off, paired, alternating, in one run.

``python -m searchkz.bench.explore speed --index DIR [--queries N]``
    warm timings on any index: timeline of one-word queries, similar, and search p50 with
    copies collapsed against ``collapse=False`` (interleaved).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

OUTLETS = ["BAQ.KZ", "Egemen Qazaqstan", "Kazinform", "Tengrinews", "Abai.kz", "Qamshy.kz", "Massaget"]
BOILERPLATE = [
    "Нұр-Сұлтан, {o} тілшісі.",
    "Бөлісу: Facebook Telegram WhatsApp",
    "Дереккөз: {o}",
    "Жаңалықтарды {o} Telegram арнасынан оқыңыз.",
    "Фото: ашық дереккөздерден алынды.",
    "Материалды көшіріп басқанда {o} сайтына сілтеме міндетті.",
]
_SENT_RE = re.compile(r"(?<=[.!?])\s+")
_FOLD = str.maketrans("әғқңөұүһі", "агкноуухи")


# -- the generated set ---------------------------------------------------------


def _paragraphs(sentences: list[str], rng: random.Random) -> list[str]:
    out, i = [], 0
    while i < len(sentences):
        k = rng.randint(2, 3)
        out.append(" ".join(sentences[i : i + k]))
        i += k
    return out


def _typos(text: str, rng: random.Random, share: float) -> str:
    words = text.split(" ")
    for i, w in enumerate(words):
        if len(w) > 3 and rng.random() < share:
            j = rng.randrange(len(w) - 1)
            kind = rng.randrange(3)
            if kind == 0:
                w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            elif kind == 1:
                w = w[:j] + w[j + 1 :]
            else:
                w = w.translate(_FOLD)
            words[i] = w
    return " ".join(words)


def _reprint(base: dict, rng: random.Random, spare: list[str]) -> dict:
    """A copy of ``base`` with 1-3 edits."""
    paras = list(base["paras"])
    title = base["title"]
    edits = rng.sample(["title", "drop", "add", "boiler", "typos"], rng.randint(1, 3))
    outlet = rng.choice(OUTLETS)
    if "title" in edits:
        title = (rng.choice(["Жаңалық: ", "Маңызды: ", ""]) + title + rng.choice([" (видео)", " – толығырақ", ""])).strip()
        if title == base["title"]:
            title = "ЖАҢАЛЫҚ: " + title.upper()
    if "drop" in edits and len(paras) >= 3:
        paras.pop(rng.randrange(len(paras)))
    if "add" in edits:
        paras.insert(rng.randint(0, len(paras)), spare.pop() if spare else "Толығырақ кейін хабарлаймыз.")
    if "boiler" in edits:
        paras.insert(0, rng.choice(BOILERPLATE[:1]).format(o=outlet))
        paras.append(rng.choice(BOILERPLATE[1:]).format(o=outlet))
    if "typos" in edits:
        paras = [_typos(p, rng, rng.uniform(0.01, 0.03)) for p in paras]
    return {"title": title, "paras": paras, "outlet": outlet, "edits": edits}


def generate(sentences_path, seed_corpus, kazqad, groups: int = 330, bases: int = 1600, followups: int = 200,
             seed: int = 18) -> list[dict]:
    """The generated set: ``[{"id", "title", "text", "group"}]`` (``group``: the true copy group or None)."""
    rng = random.Random(seed)
    arts: list[dict] = []
    # seed corpus: whole articles
    if seed_corpus:
        from searchkz.corpus import Article, read_corpus

        for a in read_corpus(seed_corpus):
            if isinstance(a, Article):
                arts.append({"title": a.title, "paras": [p for p in a.body.split("\n") if p.strip()], "kind": "seed"})
    # KazQAD: passages sharing a Wikipedia article first (same-topic non-copies), then others
    if kazqad:
        docs = [json.loads(line) for line in open(kazqad, encoding="utf-8")]
        titles = Counter(d["title"] for d in docs if d["title"])
        docs = [d for d in docs if d["title"] and len(d["text"].split()) >= 40]
        docs.sort(key=lambda d: (-titles[d["title"]], d["id"]))
        for d in docs[: bases // 3]:
            arts.append({"title": d["title"], "paras": _paragraphs(_SENT_RE.split(d["text"].strip()), rng), "kind": "kazqad"})
    # KazNERD: sentences sharing a named entity make articles on one topic
    sents = []
    seen = set()
    for line in open(sentences_path, encoding="utf-8"):
        obj = json.loads(line)
        t = " ".join(obj["text"].split())
        if len(t.split()) >= 5 and t not in seen:
            seen.add(t)
            sents.append((t, [e[1].lower() for e in obj.get("entities", [])]))
    rng.shuffle(sents)
    by_entity: dict[str, list[int]] = defaultdict(list)
    for i, (_t, ents) in enumerate(sents):
        for e in ents:
            by_entity[e].append(i)
    used: set[int] = set()
    for ent, idx in sorted(by_entity.items(), key=lambda x: -len(x[1])):
        if len(arts) >= bases:
            break
        free = [i for i in idx if i not in used]
        while len(free) >= 8 and len(arts) < bases:
            k = rng.randint(8, 14)
            take, free = free[:k], free[k:]
            used.update(take)
            arts.append({"title": ent.title(), "paras": _paragraphs([sents[i][0] for i in take], rng), "kind": "topic"})
    spare = [sents[i][0] for i in range(len(sents)) if i not in used]
    rng.shuffle(spare)
    out = []
    for n, a in enumerate(arts):
        a["id"] = f"b{n:05d}"
        a["group"] = None
    picked = rng.sample(range(len(arts)), groups)
    for g in picked:
        base = arts[g]
        base["group"] = base["id"]
        for c in range(rng.randint(1, 5)):
            cp = _reprint(base, rng, spare)
            cp.update(id=f"{base['id']}-c{c}", group=base["id"], kind="copy")
            out.append(cp)
    for n, g in enumerate(rng.sample(range(len(arts)), followups)):
        base = arts[g]
        quoted = rng.choice(base["paras"])  # one paragraph of the story, at most a quarter of the words
        new = []
        while sum(len(p.split()) for p in new) < 3 * len(quoted.split()) or len(new) < 3:
            new.append(" ".join(spare.pop() for _ in range(rng.randint(2, 3))))
        new.insert(rng.randint(0, len(new)), quoted)
        out.append({"id": f"f{n:05d}", "title": base["title"] + " (жалғасы)", "paras": new, "group": None, "kind": "followup"})
    docs = arts + out
    for d in docs:
        d["text"] = "\n\n".join(d["paras"])
    return docs


def pair_scores(truth: list[list[str]], found: list[list[str]]) -> dict:
    """Pairwise precision, recall and F1 of "is a copy of"."""
    def pairs(groups):
        return {p for g in groups for p in combinations(sorted(g), 2)}

    t, f = pairs(truth), pairs(found)
    both = len(t & f)
    p = both / len(f) if f else 1.0
    r = both / len(t) if t else 1.0
    return {"true_pairs": len(t), "found_pairs": len(f), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def bench_dedup(args) -> dict:
    from searchkz import dedup
    from searchkz.corpus import _join, _split_lines, clean_body

    docs = generate(args.sentences, args.seed_corpus, args.kazqad, seed=args.seed)
    truth = defaultdict(list)
    for d in docs:
        if d["group"]:
            truth[d["group"]].append(d["id"])
    sizes = Counter(len(g) for g in truth.values())
    # the text as the reader cleans it (what a reindex signs)
    bodies = [_join(clean_body(_split_lines(d["text"]), d["title"])[0]) for d in docs]
    started = time.perf_counter()
    sigs = [dedup.signature(b) for b in bodies]
    sig_s = time.perf_counter() - started
    started = time.perf_counter()
    found = dedup.group_ids([d["id"] for d in docs], sigs)
    group_s = time.perf_counter() - started
    res = {
        "articles": len(docs),
        "groups": len(truth),
        "group_sizes": dict(sorted(sizes.items())),
        "kinds": dict(Counter(d["kind"] for d in docs)),
        **pair_scores(list(truth.values()), found),
        "signature_ms_per_article": round(1000 * sig_s / len(docs), 4),
        "grouping_s": round(group_s, 4),
    }
    try:
        import datasketch
    except ImportError:
        res["datasketch"] = "not installed"
    else:
        started = time.perf_counter()
        for b in bodies:
            w = b.lower().encode("utf-8").split()
            m = datasketch.MinHash(num_perm=dedup.NUM_PERM)
            m.update_batch([b" ".join(w[i : i + 3]) for i in range(max(1, len(w) - 2))])
        res["datasketch_ms_per_article"] = round(1000 * (time.perf_counter() - started) / len(docs), 4)
    return res


# -- similar on KazQAD -----------------------------------------------------------


def _prefix_tfidf(docs: list[dict]):
    """The baseline: TF-IDF vectors over the words' first 5 letters, cosine similarity."""
    import numpy as np

    toks = [[w[:5] for w in re.findall(r"\w+", (d["title"] + " " + d["text"]).lower())] for d in docs]
    df = Counter(t for ts in toks for t in set(ts))
    n = len(docs)
    post: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    vecs = []
    for i, ts in enumerate(toks):
        tf = Counter(ts)
        v = {t: c * math.log(n / df[t]) for t, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        v = {t: x / norm for t, x in v.items()}
        vecs.append(v)
        for t, x in v.items():
            post[t][0].append(i)
            post[t][1].append(x)
    post = {t: (np.array(a), np.array(b)) for t, (a, b) in post.items()}

    def top(i: int, k: int) -> list[int]:
        acc = np.zeros(n)
        for t, x in vecs[i].items():
            ids, ws = post[t]
            acc[ids] += x * ws
        acc[i] = -1
        best = np.argsort(-acc, kind="stable")[:k]
        return [int(j) for j in best if acc[j] > 0]

    return top


def bench_similar(args) -> dict:
    from searchkz.api import Index

    docs = [json.loads(line) for line in open(args.kazqad, encoding="utf-8")]
    titles = Counter(d["title"] for d in docs if d["title"])
    judged = [i for i, d in enumerate(docs) if d["title"] and titles[d["title"]] > 1]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="searchkz-similar-"))
    ix = Index(work / "index")
    if not ix.exists():
        ix.reindex(args.kazqad)
    baseline = _prefix_tfidf(docs)
    body_only = _prefix_tfidf([dict(d, title="") for d in docs])
    docs_by_id = {d["id"]: j for j, d in enumerate(docs)}
    out = {"judged": len(judged)}
    for name, top in (("searchkz", lambda i: [docs_by_id[h.id] for h in ix.similar(docs[i]["id"], limit=5)]),
                      ("tfidf-prefix5 (title and text)", lambda i: baseline(i, 5)),
                      ("tfidf-prefix5 (text only)", lambda i: body_only(i, 5))):
        hit = found = possible = 0
        started = time.perf_counter()
        for i in judged:
            sib = titles[docs[i]["title"]] - 1
            got = sum(1 for j in top(i) if docs[j]["title"] == docs[i]["title"])
            hit += got > 0
            found += got
            possible += min(sib, 5)
        out[name] = {"with_sibling_in_top5": round(hit / len(judged), 4), "siblings_found": round(found / possible, 4),
                     "ms_per_article": round(1000 * (time.perf_counter() - started) / len(judged), 3)}
    ix.close()
    return out


# -- reindex overhead --------------------------------------------------------------


def add_reprints(corpus: Path, groups: int, seed: int = 18) -> int:
    """Write reprints (:func:`_reprint`) of ``groups`` random articles of a corpus into its
    folder ``reprints/`` (1-5 each, as .txt files dated like their story); returns how many."""
    from searchkz.corpus import Article, read_corpus

    rng = random.Random(seed)
    arts = [a for a in read_corpus(corpus) if isinstance(a, Article) and not a.id.startswith("reprints/")]
    out = corpus / "reprints"
    out.mkdir(exist_ok=True)
    spare = [p for a in rng.sample(arts, min(len(arts), 200)) for p in a.body.split("\n") if p.strip()]
    n = 0
    for a in rng.sample(arts, min(groups, len(arts))):
        base = {"title": a.title, "paras": [p for p in a.body.split("\n") if p.strip()]}
        for c in range(rng.randint(1, 5)):
            cp = _reprint(base, rng, spare)
            date = a.date.strftime("%d.%m.%Y, %H:%M") if a.date else ""
            text = f"{cp['title']}\n\n{date}\n\n" + "\n\n".join(cp["paras"]) + "\n"
            (out / f"{n:06d}.txt").write_text(text, encoding="utf-8")
            n += 1
    return n


def bench_reindex(args) -> dict:
    from searchkz.bench.speed import build_corpus, load_sentences
    from searchkz.index import reindex

    work = Path(args.workdir or tempfile.mkdtemp(prefix="searchkz-reindex-"))
    corpus = work / f"corpus-{args.docs}"
    if not corpus.exists():
        sentences, _src = load_sentences(args.sentences)
        build_corpus(corpus, args.docs, sentences, seed=args.seed)
        if args.reprint_groups:
            add_reprints(corpus, args.reprint_groups, args.seed)
    import resource

    def cpu() -> float:  # this process and its (finished) worker processes
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    times: dict[str, list[float]] = {"on": [], "off": []}
    cpus: dict[str, list[float]] = {"on": [], "off": []}
    for r in range(args.runs):
        for mode in (("on", "off") if r % 2 == 0 else ("off", "on")):
            os.environ["SEARCHKZ_DEDUP"] = "1" if mode == "on" else "0"
            ixdir = work / f"index-{mode}"
            started, cpu0 = time.perf_counter(), cpu()
            reindex(ixdir, corpus, full=True, procs=args.procs)
            times[mode].append(time.perf_counter() - started)
            cpus[mode].append(cpu() - cpu0)
    os.environ.pop("SEARCHKZ_DEDUP", None)
    on, off = statistics.median(times["on"]), statistics.median(times["off"])
    con, coff = statistics.median(cpus["on"]), statistics.median(cpus["off"])
    return {"docs": args.docs, "reprints": sum(1 for _ in (corpus / "reprints").glob("*.txt")) if
            (corpus / "reprints").is_dir() else 0, "procs": args.procs, "runs": args.runs,
            "seconds_on": [round(t, 2) for t in times["on"]], "seconds_off": [round(t, 2) for t in times["off"]],
            "median_on": round(on, 2), "median_off": round(off, 2), "slowdown": round(on / off - 1, 4),
            "cpu_on": [round(t, 2) for t in cpus["on"]], "cpu_off": [round(t, 2) for t in cpus["off"]],
            "cpu_slowdown": round(con / coff - 1, 4)}


# -- speed on an index ---------------------------------------------------------------


def bench_speed(args) -> dict:
    import numpy as np

    from searchkz.api import Index

    ix = Index(args.index)
    searcher = ix._open()
    reader = searcher.reader()
    rng = random.Random(args.seed)
    # one-word queries: title words of random documents
    n = reader.doc_count_all()
    words = []
    while len(words) < args.queries:
        t = searcher.stored_fields(rng.randrange(n)).get("title", "")
        ws = [w for w in re.findall(r"\w+", t.lower()) if len(w) > 4]
        if ws:
            words.append(rng.choice(ws))
    ids = [searcher.stored_fields(rng.randrange(n))["id"] for _ in range(args.queries)]
    ix.timeline(words[0], by="month")
    ix.similar(ids[0], limit=10)  # warm: arrays read once a searcher

    def timed(fn, items):
        out = []
        for x in items:
            t0 = time.perf_counter()
            fn(x)
            out.append(time.perf_counter() - t0)
        return out

    # each word: a search and a timeline the first time it is asked (alternating which goes
    # first), then again (warm: its posting lists read); then search with and without
    # collapsing, in alternating order
    first_search, first_tl, tl, coll, flat = [], [], [], [], []
    for i, w in enumerate(words):
        runs = [(first_search, lambda q: ix.search(q, limit=10, collapse=False)),
                (first_tl, lambda q: ix.timeline(q, by="month"))]
        for bucket, fn in (runs if i % 2 else runs[::-1]):
            bucket.extend(timed(fn, [w]))
        tl.extend(timed(lambda q: ix.timeline(q, by="month"), [w]))
        for c in ((True, False) if i % 2 else (False, True)):
            (coll if c else flat).extend(timed(lambda q: ix.search(q, limit=10, collapse=c), [w]))
    sim = timed(lambda i: ix.similar(i, limit=10), ids)

    def ms(v):
        v = sorted(v)
        return {"p50_ms": round(1000 * statistics.median(v), 2), "p95_ms": round(1000 * v[int(0.95 * (len(v) - 1))], 2)}

    res = {"documents": n, "queries": len(words), "search_first": ms(first_search), "timeline_first": ms(first_tl),
           "timeline_warm": ms(tl), "similar": ms(sim), "search_collapsed": ms(coll), "search_all": ms(flat)}
    base = res["search_all"]["p50_ms"]
    res["ratios_to_search_p50"] = {
        "timeline_first/search_first": round(res["timeline_first"]["p50_ms"] / res["search_first"]["p50_ms"], 3),
        "timeline_warm/search_all": round(res["timeline_warm"]["p50_ms"] / base, 3),
        "similar/search_all": round(res["similar"]["p50_ms"] / base, 3),
    }
    res["collapse_overhead"] = round(res["search_collapsed"]["p50_ms"] / res["search_all"]["p50_ms"] - 1, 4)
    copies = np.count_nonzero(getattr(searcher, "_searchkz_copies", None).group_of >= 0) if getattr(
        searcher, "_searchkz_copies", None) is not None else 0
    res["articles_in_copy_groups"] = int(copies)
    ix.close()
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m searchkz.bench.explore", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dedup", help="copy detection on a generated set")
    d.add_argument("--sentences", required=True, help="KazNERD sentences.jsonl")
    d.add_argument("--seed-corpus", help="a folder of seed articles")
    d.add_argument("--kazqad", help="KazQAD collection.jsonl")
    s = sub.add_parser("similar", help="similar articles on KazQAD")
    s.add_argument("--kazqad", required=True)
    s.add_argument("--workdir")
    r = sub.add_parser("reindex", help="reindex with copy detection on and off")
    r.add_argument("--sentences", help="sentences to build the corpus from (see bench.speed)")
    r.add_argument("--docs", type=int, default=10_000)
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--procs", type=int, default=2)
    r.add_argument("--reprint-groups", type=int, default=0, help="articles to reprint 1-5 times (reprints/)")
    r.add_argument("--workdir")
    sp = sub.add_parser("speed", help="timeline, similar and collapsing on an index")
    sp.add_argument("--index", required=True)
    sp.add_argument("--queries", type=int, default=50)
    for a in (d, s, r, sp):
        a.add_argument("--seed", type=int, default=18)
        a.add_argument("--json", dest="json_out", help="also write the result here")
    args = p.parse_args(argv)
    res = {"dedup": bench_dedup, "similar": bench_similar, "reindex": bench_reindex, "speed": bench_speed}[args.cmd](args)
    text = json.dumps(res, ensure_ascii=False, indent=2)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
