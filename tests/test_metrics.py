"""The metric code against hand-computed cases (trec_eval definitions)."""

import math

import pytest

from searchkz.bench.metrics import (
    compare,
    evaluate,
    ndcg,
    read_qrels,
    read_run,
    recall,
    reciprocal_rank,
    sort_run,
)


def test_sort_run_score_desc_then_docid_desc():
    # ties broken by docid descending, as trec_eval does; the rank column is ignored
    docs = [("a", 1.0), ("c", 2.0), ("b", 1.0), ("d", 0.5)]
    assert sort_run(docs) == ["c", "b", "a", "d"]


def test_sort_run_drops_duplicates_keeping_best():
    assert sort_run([("a", 1.0), ("b", 3.0), ("a", 5.0)]) == ["a", "b"]


def test_reciprocal_rank_cut_at_10():
    judged = {"r": 1, "n": 0}
    assert reciprocal_rank(["r", "x"], judged) == 1.0
    assert reciprocal_rank(["x", "n", "r"], judged) == pytest.approx(1 / 3)
    # a grade-0 judgment is not relevant
    assert reciprocal_rank(["n"], judged) == 0.0
    ranked = [f"x{i}" for i in range(10)] + ["r"]
    assert reciprocal_rank(ranked, judged) == 0.0  # rank 11 is past the cut
    assert reciprocal_rank(ranked[:9] + ["r"], judged) == pytest.approx(0.1)


def test_ndcg_hand_computed():
    judged = {"a": 2, "b": 1, "c": 0, "z": 1}
    ranked = ["c", "a", "x", "b"]
    # DCG = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5)
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    # ideal from the qrels: grades 2, 1, 1 -> 2/1 + 1/log2(3) + 1/log2(4)
    idcg = 2 + 1 / math.log2(3) + 0.5
    assert ndcg(ranked, judged) == pytest.approx(dcg / idcg)
    assert ndcg(["a", "b", "z"], judged) == pytest.approx(1.0)
    assert ndcg([], judged) == 0.0


def test_ndcg_cut_at_10_ideal_also_cut():
    judged = {f"r{i}": 1 for i in range(12)}
    ranked = [f"r{i}" for i in range(12)]
    assert ndcg(ranked, judged) == pytest.approx(1.0)
    # one relevant document at rank 10 only
    ranked = [f"x{i}" for i in range(9)] + ["r0"]
    idcg = sum(1 / math.log2(i + 1) for i in range(1, 11))
    assert ndcg(ranked, judged) == pytest.approx((1 / math.log2(11)) / idcg)


def test_recall_at_100():
    judged = {"a": 1, "b": 1, "c": 0, "d": 2}
    ranked = ["a", "c"] + [f"x{i}" for i in range(97)] + ["d", "b"]  # d at 100, b at 101
    assert recall(ranked, judged) == pytest.approx(2 / 3)


def test_evaluate_means_and_exclusions():
    qrels = {
        "q1": {"a": 1},
        "q2": {"b": 1, "c": 1},
        "q3": {"d": 0},  # no relevant document: excluded
        "q4": {"e": 1},  # missing from the run: counts as 0
    }
    run = {
        "q1": [("x", 3.0), ("a", 2.0)],
        "q2": [("c", 1.0), ("y", 1.0)],  # tie: y > c by docid desc -> y first
        "q3": [("d", 1.0)],
    }
    s = evaluate(run, qrels)
    assert s.queries == 3
    assert s.per_query["q1"]["mrr@10"] == pytest.approx(0.5)
    assert s.per_query["q2"]["mrr@10"] == pytest.approx(0.5)
    assert s.per_query["q4"]["mrr@10"] == 0.0
    assert s.mrr10 == pytest.approx((0.5 + 0.5 + 0) / 3)
    assert s.recall100 == pytest.approx((1 + 0.5 + 0) / 3)
    nd_q1 = (1 / math.log2(3)) / 1
    nd_q2 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert s.ndcg10 == pytest.approx((nd_q1 + nd_q2) / 3)


def test_compare_wins_losses():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 1}}
    base = evaluate({"q1": [("a", 1)], "q2": [("x", 2), ("b", 1)], "q3": [("c", 1)]}, qrels)
    new = evaluate({"q1": [("x", 2), ("a", 1)], "q2": [("b", 1)], "q3": [("c", 1)]}, qrels)
    wins, losses, ties = compare(new, base)
    assert wins == [("q2", 0.5, 1.0)]
    assert losses == [("q1", 1.0, 0.5)]
    assert ties == 1


def test_read_files(tmp_path):
    q = tmp_path / "qrels.trec"
    q.write_text("q1 0 a 1\nq1 0 b 0\nq2 0 c 2\n", encoding="utf-8")
    r = tmp_path / "run.trec"
    r.write_text("q1 Q0 b 1 2.5 t\nq1 Q0 a 2 1.5 t\n", encoding="utf-8")
    assert read_qrels(q) == {"q1": {"a": 1, "b": 0}, "q2": {"c": 2}}
    assert read_run(r) == {"q1": [("b", 2.5), ("a", 1.5)]}
    s = evaluate(read_run(r), read_qrels(q))
    assert s.queries == 2 and s.mrr10 == pytest.approx(0.25)
