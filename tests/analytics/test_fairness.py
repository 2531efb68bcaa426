"""Fairness groups: rates, impact ratio, four-fifths flag and both suppression rules."""

from __future__ import annotations

import json

from microcred.analytics import NOT_STATED, fairness
from microcred.analytics.fairness import suppressed_groups

from .factory import record, repeat


def group(value: str, n: int, offers: int, hires: int = 0, withdrawn: int = 0) -> list:  # type: ignore[type-arg]
    """n records with attribute sex=value: `withdrawn` withdrawn, `offers` offered (of which
    `hires` accepted), the rest completed without an offer."""
    demo = {"sex": value} if value != NOT_STATED else {}
    out = repeat(withdrawn, status="withdrawn", demographics=demo)
    out += repeat(hires, offer=True, accepted=True, demographics=demo)
    out += repeat(offers - hires, offer=True, accepted=False, demographics=demo)
    out += repeat(n - withdrawn - offers, demographics=demo)
    return out


def test_rates_impact_ratio_and_flag_by_hand() -> None:
    records = group("f", 10, offers=4, hires=2, withdrawn=2) + group("m", 10, offers=6, hires=3)
    groups = fairness(records, 5)["attributes"]["sex"]["groups"]
    # f: 8 completed, 4 offered -> 0.5; m: 10 completed, 6 offered -> 0.6; ratio 0.5/0.6
    assert groups["f"] == {
        "n": 10,
        "offered": 4,
        "offer_rate": 0.5,
        "accepted": 2,
        "acceptance_rate": 0.5,
        "impact_ratio": 0.8333,
        "flagged": False,
        "suppressed": False,
    }
    assert groups["m"]["impact_ratio"] == 1.0 and groups["m"]["offer_rate"] == 0.6


def test_exactly_four_fifths_is_not_flagged_and_just_below_is() -> None:
    at = fairness(group("a", 5, offers=4) + group("b", 5, offers=5), 5)
    assert at["attributes"]["sex"]["groups"]["a"]["impact_ratio"] == 0.8
    assert at["attributes"]["sex"]["groups"]["a"]["flagged"] is False
    below = fairness(group("a", 10, offers=7) + group("b", 10, offers=9), 5)
    a = below["attributes"]["sex"]["groups"]["a"]
    assert a["impact_ratio"] == 0.7778 and a["flagged"] is True


def test_ties_for_the_highest_rate_both_get_ratio_one() -> None:
    groups = fairness(group("a", 6, offers=3) + group("b", 8, offers=4), 5)["attributes"]["sex"][
        "groups"
    ]
    assert groups["a"]["impact_ratio"] == groups["b"]["impact_ratio"] == 1.0


def test_missing_attribute_is_the_not_stated_group() -> None:
    records = group("a", 5, offers=1) + group(NOT_STATED, 6, offers=2)
    groups = fairness(records, 5)["attributes"]["sex"]["groups"]
    assert groups[NOT_STATED]["n"] == 6 and groups["a"]["n"] == 5


def test_suppression_at_k_minus_one_and_k() -> None:
    # k - 1 = 4 -> suppressed; k = 5 -> shown (and the secondary rule hides the next one)
    records = (
        group("small", 4, 1) + group("edge", 5, 2) + group("big", 9, 3) + group("bigger", 12, 3)
    )
    groups = fairness(records, 5)["attributes"]["sex"]["groups"]
    assert "small" not in groups and "edge" not in groups  # both hidden, values never named
    assert sorted(groups) == ["big", "bigger", "suppressed-1", "suppressed-2"]
    assert groups["suppressed-1"] == {"suppressed": True}
    records = group("edge", 5, 2) + group("big", 9, 3)
    shown = fairness(records, 5)["attributes"]["sex"]["groups"]
    assert shown["edge"]["n"] == 5 and shown["edge"]["suppressed"] is False


def test_second_suppression_only_when_exactly_one_group_is_hidden() -> None:
    assert suppressed_groups({"a": 2, "b": 7, "c": 6, "d": 20}, 5) == {"a", "c"}
    assert suppressed_groups({"a": 2, "b": 3, "c": 6, "d": 20}, 5) == {"a", "b"}
    assert suppressed_groups({"a": 9, "b": 7}, 5) == set()
    # ties for the next smallest: fewest records, then the value's sort order
    assert suppressed_groups({"z": 1, "b": 6, "a": 6}, 5) == {"z", "a"}


def test_all_suppressed_attribute_and_impact_among_shown_groups_only() -> None:
    records = group("a", 2, 1) + group("b", 3, 3)
    groups = fairness(records, 5)["attributes"]["sex"]["groups"]
    assert list(groups.values()) == [{"suppressed": True}] * 2
    # the hidden group has the highest offer rate; ratios compare with shown groups only
    records = group("top", 3, 3) + group("x", 10, 5) + group("y", 10, 2)
    groups = fairness(records, 5)["attributes"]["sex"]["groups"]
    # 'top' is hidden, the next smallest ('x' before 'y' at equal n) too: only y shows
    assert groups["y"]["impact_ratio"] == 1.0
    assert sum(1 for g in groups.values() if g["suppressed"]) == 2


def test_empty_group_rates_are_null() -> None:
    # a group whose members all withdrew: no completions -> offer rate and ratio null
    records = group("gone", 5, 0, withdrawn=5) + group("here", 6, 3)
    gone = fairness(records, 5)["attributes"]["sex"]["groups"]["gone"]
    assert gone["offer_rate"] is None and gone["acceptance_rate"] is None
    assert gone["impact_ratio"] is None and gone["flagged"] is False
    # nobody offered anywhere: the best rate is 0, every ratio is null (0/0), none flagged
    none = fairness(group("a", 5, 0) + group("b", 5, 0), 5)["attributes"]["sex"]["groups"]
    assert none["a"]["offer_rate"] == 0.0 and none["a"]["impact_ratio"] is None


def test_suppressed_values_never_appear_in_the_output() -> None:
    records = group("Zeeland", 2, 1) + group("Utrecht", 6, 2) + group("Zuid-Holland", 12, 6)
    text = json.dumps(fairness(records, 5))
    assert "Zeeland" not in text and "Utrecht" not in text and "Zuid-Holland" in text


def test_no_demographics_no_attributes() -> None:
    assert fairness([record()], 5) == {"k": 5, "attributes": {}}
