"""Score fusion: how the dense and the lexical view of a query become one ranking."""

import pytest

from vectorstore.fusion import min_max, reciprocal_rank_fusion, weighted_fusion


def test_min_max_maps_best_to_one_and_worst_to_zero() -> None:
    assert min_max({"a": 12.0, "b": 3.0, "c": 7.5}) == {"a": 1.0, "b": 0.0, "c": 0.5}


def test_min_max_of_indistinguishable_scores_gives_no_preference() -> None:
    assert min_max({"a": 0.4, "b": 0.4}) == {"a": 0.0, "b": 0.0}
    assert min_max({}) == {}


def test_weighted_fusion_keeps_a_wide_dense_margin_that_rank_fusion_loses() -> None:
    # "a" is far ahead on meaning and a close second on words; "b" wins words by a hair.
    dense = {"a": 0.80, "b": 0.50, "c": 0.48}
    lexical = {"a": 9.8, "b": 10.0, "c": 2.0}
    fused = weighted_fusion(dense, lexical, dense_share=0.5)
    assert max(fused, key=fused.get) == "a"
    by_rank = reciprocal_rank_fusion([sorted(dense, key=dense.get, reverse=True), sorted(lexical, key=lexical.get, reverse=True)], 60)
    assert by_rank["a"] == pytest.approx(by_rank["b"])  # rank fusion cannot tell them apart


@pytest.mark.parametrize(("share", "winner"), [(1.0, "dense_pick"), (0.0, "lexical_pick")])
def test_dense_share_moves_the_decision_between_retrievers(share, winner) -> None:
    dense = {"dense_pick": 0.9, "lexical_pick": 0.3}
    lexical = {"dense_pick": 1.0, "lexical_pick": 8.0}
    fused = weighted_fusion(dense, lexical, share)
    assert max(fused, key=fused.get) == winner


def test_a_chunk_missing_from_one_view_scores_as_that_views_worst() -> None:
    fused = weighted_fusion({"a": 0.9, "b": 0.1}, {"a": 5.0, "c": 4.0}, 0.5)
    assert set(fused) == {"a", "b", "c"}
    assert fused["a"] == pytest.approx(1.0) and fused["b"] == pytest.approx(0.0)


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["x", "y", "z"], ["y", "x", "w"]], k=60)
    assert sorted(fused, key=fused.get, reverse=True)[:2] in (["x", "y"], ["y", "x"])
    assert fused["z"] < fused["x"] and fused["w"] < fused["x"]
