"""The retrieval benchmark's metrics against examples worked out by hand (trec_eval conventions)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.retrieval import document_text, evaluate, mrr_at, ndcg_at, read_qrels, recall_at


def test_graded_ndcg_uses_linear_gains_and_the_ideal_order() -> None:
    ranking = ["a", "b", "c"]
    judged = {"a": 2, "c": 1, "d": 3}
    # DCG = 2/log2(2) + 0/log2(3) + 1/log2(4) = 2.5; ideal = 3/1 + 2/log2(3) + 1/log2(4) = 4.76186
    assert ndcg_at(ranking, judged) == pytest.approx(2.5 / (3 + 2 / math.log2(3) + 0.5))
    assert ndcg_at(ranking, judged) == pytest.approx(0.525005, abs=1e-6)


def test_ndcg_is_one_for_the_ideal_ranking_and_zero_without_relevant_hits() -> None:
    judged = {"a": 3, "b": 1, "c": 2}
    assert ndcg_at(["a", "c", "b"], judged) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], judged) == 0.0
    assert ndcg_at(["a"], {"a": 0}) == 0.0  # nothing relevant: no ideal gain to divide by


def test_ndcg_cuts_both_the_ranking_and_the_ideal_at_k() -> None:
    judged = {f"d{i}": 1 for i in range(12)}
    assert ndcg_at([f"d{i}" for i in range(12)], judged, k=10) == pytest.approx(1.0)
    late = [f"x{i}" for i in range(10)] + ["d0"]  # the only relevant hit is at rank 11
    assert ndcg_at(late, {"d0": 1}, k=10) == 0.0


def test_negative_grades_count_as_not_relevant() -> None:
    # Only b is relevant, at rank 2: (1/log2(3)) / 1
    assert ndcg_at(["a", "b"], {"a": -1, "b": 1}) == pytest.approx(1 / math.log2(3))
    assert mrr_at(["a", "b"], {"a": -1, "b": 1}) == 0.5
    assert recall_at(["a"], {"a": -1, "b": 1}) == 0.0


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_document_within_k() -> None:
    assert mrr_at(["x", "y", "b", "a"], {"a": 2, "b": 1}) == pytest.approx(1 / 3)
    assert mrr_at(["a"], {"a": 1}) == 1.0
    assert mrr_at([f"x{i}" for i in range(10)] + ["a"], {"a": 1}, k=10) == 0.0


def test_recall_counts_relevant_documents_found_in_the_top_k() -> None:
    judged = {"a": 2, "c": 1, "d": 3, "e": 0}
    assert recall_at(["a", "b", "c"], judged) == pytest.approx(2 / 3)
    assert recall_at(["a", "b", "c"], judged, k=1) == pytest.approx(1 / 3)
    assert recall_at(["e"], judged) == 0.0


def test_evaluate_averages_over_queries_with_a_relevant_document_and_missing_runs_score_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    runs = {"q1": ["a"], "q3": ["c"]}
    assert evaluate(runs, qrels) == {"ndcg@10": 0.5, "mrr@10": 0.5, "recall@100": 0.5}
    with pytest.raises(ValueError):
        evaluate(runs, {"q3": {"c": 0}})


def test_qrels_reader_skips_the_header_and_keeps_grades(tmp_path: Path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("query-id\tcorpus-id\tscore\n1\t184\t3\n1\t29\t2\n2\t7\t0\n", encoding="utf-8")
    assert read_qrels(path) == {"1": {"184": 3, "29": 2}, "2": {"7": 0}}


def test_document_text_puts_the_title_first_once() -> None:
    assert document_text({"title": "Wings", "text": "Lift and drag."}) == "Wings\n\nLift and drag."
    assert document_text({"title": "wings .", "text": "Wings . lift"}) == "Wings . lift"
    assert document_text({"title": "Only a title", "text": ""}) == "Only a title"
