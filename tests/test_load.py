"""The load bench's client loop against a real server while a reindex swaps generations."""

import json
import urllib.request

from searchkz import Index
from searchkz.bench.load import Reindexer, percentile, run_load, summarize
from searchkz.server import create_app
from test_server import SEED_DIR, make_corpus, running


def test_percentiles_and_summary():
    values = [i / 100 for i in range(1, 101)]
    assert [percentile(values, p) for p in (50, 95, 100)] == [values[49], values[94], values[99]]
    s = summarize([0.01, 0.02, 0.03, 0.5], errors=1, seconds=2.0)
    assert (s["requests"], s["ok"], s["errors"], s["throughput_rps"], s["p50_ms"], s["max_ms"]) == (5, 4, 1, 2.0, 20.0, 500.0)


def test_searches_never_fail_while_a_reindex_swaps_generations(tmp_path):
    corpus = make_corpus(SEED_DIR, tmp_path / "corpus")
    Index(tmp_path / "index").reindex(corpus)
    (corpus / "extra.jsonl").write_text(
        json.dumps({"id": "new-1", "title": "Сүмбіле айы", "text": "Сүмбіле айында егін жиналады."}, ensure_ascii=False)
        + "\n", encoding="utf-8")
    with running(create_app(tmp_path / "index")) as url:
        port = int(url.rsplit(":", 1)[1])
        gen = json.load(urllib.request.urlopen(url + "/api/stats"))["generation"]
        reindexer = Reindexer(corpus, tmp_path / "index")
        out = run_load(port, ["қоғамдық кеңес", "азаматтық қоғам", "сүмбіле"], clients=4, requests=600,
                       max_seconds=60, reindexer=reindexer)
        assert out["errors"] == 0 and out["ok"] == 600, out["first_errors"]
        assert out["reindex"]["returncode"] == 0 and out["reindex"]["during"]["ok"] > 0
        assert json.load(urllib.request.urlopen(url + "/api/stats"))["generation"] != gen
        hits = json.load(urllib.request.urlopen(url + "/api/search?q=%D1%81%D2%AF%D0%BC%D0%B1%D1%96%D0%BB%D0%B5"))
        assert [h["id"] for h in hits["hits"]] == ["new-1"]
