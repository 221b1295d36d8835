"""The pure selection: quotas, the fatigue rule and the preference for the long-untested, on hand-made data."""
from datetime import datetime, timedelta, timezone

from civictest.panel_selection import ANY_CELL, Candidate, Quota, cell_key, parse_cell_key, select, targets

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
RULE = {"now": NOW, "max_tests_per_year": 3, "cooloff_days": 30}


def person(member_id, age="40s", device="pc", tests=0, days_ago=None):
    last = NOW - timedelta(days=days_ago) if days_ago is not None else None
    return Candidate(member_id, {"age_band": age, "device": device}, tests, last)


def test_cell_key_is_sorted_and_round_trips():
    assert cell_key({"device": "pc", "age_band": "40s"}) == "age_band=40s|device=pc"
    assert parse_cell_key("age_band=40s|device=pc") == {"age_band": "40s", "device": "pc"}
    assert cell_key({}) == ANY_CELL


def test_shares_are_rounded_by_largest_remainder_and_sum_to_the_count():
    quotas = [Quota({"age_band": "20s"}, target_share=0.333), Quota({"age_band": "40s"}, target_share=0.333),
              Quota({"age_band": "60s"}, target_share=0.334)]
    assert targets(quotas, 10) == {"age_band=20s": 3, "age_band=40s": 3, "age_band=60s": 4}
    assert targets([Quota({"age_band": "20s"}, target_count=7)], 100) == {"age_band=20s": 7}
    assert targets([], 5) == {ANY_CELL: 5}


def test_quotas_are_filled_per_cell_and_people_outside_every_cell_are_never_chosen():
    people = [person(i, age="20s") for i in range(1, 6)] + [person(i, age="60s") for i in range(6, 9)]
    people.append(person(99, age="80_plus"))
    quotas = [Quota({"age_band": "20s"}, target_count=2), Quota({"age_band": "60s"}, target_count=2)]
    result = select(people, quotas, 10, **RULE)
    assert result.filled == {"age_band=20s": 2, "age_band=60s": 2}
    chosen = {m for m, _ in result.chosen}
    assert len(chosen) == 4 and 99 not in chosen
    assert all((m <= 5) == (key == "age_band=20s") for m, key in result.chosen)


def test_the_fatigue_rule_skips_recent_and_frequent_testers():
    people = [person(1, days_ago=10), person(2, tests=3, days_ago=200), person(3, days_ago=31), person(4)]
    result = select(people, [], 10, **RULE)
    assert [m for m, _ in result.chosen] == [4, 3]  # never tested first, then the longest ago
    assert result.eligible == {ANY_CELL: 2}


def test_members_who_have_not_tested_recently_are_preferred():
    people = [person(1, days_ago=40), person(2, days_ago=300), person(3, days_ago=100), person(4)]
    result = select(people, [], 2, **RULE)
    assert [m for m, _ in result.chosen] == [4, 2]


def test_the_count_caps_the_total_and_a_short_cell_reports_its_shortfall():
    people = [person(i, age="20s") for i in range(1, 10)] + [person(10, age="60s")]
    quotas = [Quota({"age_band": "20s"}, target_share=0.5), Quota({"age_band": "60s"}, target_share=0.5)]
    result = select(people, quotas, 6, **RULE)
    assert result.targets == {"age_band=20s": 3, "age_band=60s": 3}
    assert result.filled == {"age_band=20s": 3, "age_band=60s": 1}
    assert result.shortfall() == {"age_band=60s": 2}
    assert len(result.chosen) == 4


def test_cells_over_two_dimensions_and_excluded_members():
    people = [person(1, "40s", "pc"), person(2, "40s", "smartphone"), person(3, "40s", "smartphone"),
              person(4, "20s", "smartphone")]
    quotas = [Quota({"age_band": "40s", "device": "smartphone"}, target_count=5)]
    result = select(people, quotas, 5, exclude=[2], **RULE)
    assert result.chosen == [(3, "age_band=40s|device=smartphone")]


def test_the_same_seed_chooses_the_same_people_and_inputs_are_not_changed():
    people = [person(i) for i in range(1, 50)]
    snapshot = list(people)
    first = select(people, [], 10, seed=7, **RULE)
    assert select(people, [], 10, seed=7, **RULE).chosen == first.chosen
    assert select(people, [], 10, seed=8, **RULE).chosen != first.chosen
    assert people == snapshot


def test_members_with_the_no_show_limit_are_not_chosen_and_zero_turns_the_rule_off():
    people = [Candidate(1, {}, 0, None, 0), Candidate(2, {}, 0, None, 1), Candidate(3, {}, 0, None, 2),
              Candidate(4, {}, 0, None, 5)]
    chosen = {m for m, _ in select(people, [], 10, **RULE, max_no_shows=2).chosen}
    assert chosen == {1, 2}, "two no-shows within the year (the default limit) leave a member out"
    assert {m for m, _ in select(people, [], 10, **RULE, max_no_shows=1).chosen} == {1}
    assert {m for m, _ in select(people, [], 10, **RULE, max_no_shows=0).chosen} == {1, 2, 3, 4}
    assert {m for m, _ in select(people, [], 10, **RULE).chosen} == {1, 2, 3, 4}, "off unless asked for"
    result = select(people, [Quota({}, target_count=10)], 10, **RULE, max_no_shows=2)
    assert result.eligible == {ANY_CELL: 2}, "left out of the eligible count too"


def test_is_eligible_applies_the_no_show_limit():
    from civictest.panel_selection import is_eligible

    assert is_eligible(Candidate(1, {}, 0, None, 1), NOW, 3, 30, max_no_shows=2)
    assert not is_eligible(Candidate(1, {}, 0, None, 2), NOW, 3, 30, max_no_shows=2)
    assert is_eligible(Candidate(1, {}, 0, None, 9), NOW, 3, 30, max_no_shows=0)
