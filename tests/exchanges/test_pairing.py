"""Tests of the pairing suggestion engine (``lianyan.exchanges.pairing``), pure and fast.

Property tests draw random candidate sets (up to 60 kindergartens, 1–8 counties, random
locales, zones and history) and check the hard rules, determinism and, on sets small enough to
enumerate, that tiers 1 and 2 of the objective (mixed groups, kindergartens placed) equal the
exhaustive optimum. Example tests pin each soft rule and every Chinese reason a user sees.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianyan.exchanges.pairing import (
    REASON_COUNTY_SURPLUS,
    REASON_ONE_COUNTY,
    REASON_TOO_FEW,
    REASON_TWO_COUNTIES,
    Candidate,
    Group,
    PairingResult,
    suggest_groups,
    validate_groups,
)
from lianyan.schemas import Locale

LOCALES: tuple[Locale, ...] = ("urban", "town", "rural")
COUNTY_NAMES = {1: "灵宝市", 2: "卢氏县", 3: "渑池县", 4: "陕州区", 5: "义马市", 6: "湖滨区"}

FAST = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def kg(
    kid: int, county: int, locale: Locale = "rural", zone: int | None = None, name: str = ""
) -> Candidate:
    """A candidate with readable defaults."""
    return Candidate(
        kindergarten_id=kid,
        county_id=county,
        zone_id=zone,
        locale=locale,
        name=name or f"{kid}号幼儿园",
        county_name=COUNTY_NAMES.get(county, f"{county}县"),
    )


@st.composite
def candidate_sets(
    draw: st.DrawFn, max_size: int = 60
) -> tuple[list[Candidate], dict[frozenset[int], int]]:
    """Random candidates and a random history among them.

    Hypothesis draws the shape (size, counties, zones, urban share, history density) and a
    seed; the set itself comes from ``random.Random(seed)``. Drawing every attribute through
    Hypothesis cost more than the engine itself and made the suite slow.
    """
    size = draw(st.integers(0, max_size))
    counties = draw(st.integers(1, 8))
    zones = draw(st.integers(0, 4))
    urban_share = draw(st.sampled_from((0.0, 0.2, 0.4, 0.6, 1.0)))
    meetings = draw(st.integers(0, 3))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    ids = rng.sample(range(1, 5_000), size)
    people = [
        kg(
            kid,
            rng.randint(1, counties),
            "urban" if rng.random() < urban_share else rng.choice(("town", "rural")),
            rng.randint(1, zones) if zones and rng.random() < 0.9 else None,
        )
        for kid in ids
    ]
    history: dict[frozenset[int], int] = {}
    for _ in range(meetings * size if size >= 2 else 0):
        a, b = rng.sample(ids, 2)
        history[frozenset((a, b))] = rng.randint(1, 3)
    return people, history


def county_of(people: Sequence[Candidate]) -> dict[int, int]:
    return {p.kindergarten_id: p.county_id for p in people}


def assert_hard_rules(result: PairingResult, people: Sequence[Candidate], size: int) -> None:
    """No group inside one county; everyone exactly once; sizes as documented."""
    county = county_of(people)
    seen = [k for g in result.groups for k in g.kindergarten_ids]
    seen += [u.kindergarten_id for u in result.unpaired]
    assert sorted(seen) == sorted(county)
    for group in result.groups:
        counties = [county[k] for k in group.kindergarten_ids]
        assert len(set(counties)) == len(counties), group
        assert group.reason
    sizes = Counter(len(g.kindergarten_ids) for g in result.groups)
    if size == 2:
        assert set(sizes) <= {2}
    else:
        assert set(sizes) <= {2, 3}
        assert sizes[2] <= 2
    assert all(u.reason for u in result.unpaired)
    assert result.stats.placed + result.stats.unpaired == len(people)


def partitions(
    people: Sequence[Candidate], size: int, pairs_left: int
) -> Iterator[list[tuple[Candidate, ...]]]:
    """Every valid grouping (some candidates may stay out), for the exhaustive optimum."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    yield from partitions(rest, size, pairs_left)
    for i, second in enumerate(rest):
        if second.county_id == first.county_id:
            continue
        after_two = [*rest[:i], *rest[i + 1 :]]
        if size == 2 or pairs_left:
            for tail in partitions(after_two, size, pairs_left - 1):
                yield [(first, second), *tail]
        if size == 3:
            for j, third in enumerate(after_two):
                if j < i or third.county_id in (first.county_id, second.county_id):
                    continue
                after_three = [*after_two[:j], *after_two[j + 1 :]]
                for tail in partitions(after_three, size, pairs_left):
                    yield [(first, second, third), *tail]


def is_mixed(members: Sequence[Candidate]) -> bool:
    return len({m.locale == "urban" for m in members}) == 2


# -- hard rules and determinism -----------------------------------------------------------------


@FAST
@given(data=candidate_sets(), size=st.sampled_from((2, 3)))
def test_suggest_groups_keeps_hard_rules_for_random_candidates(
    data: tuple[list[Candidate], dict[frozenset[int], int]], size: int
) -> None:
    people, history = data

    result = suggest_groups(people, group_size=size, history=history)

    assert_hard_rules(result, people, size)
    assert validate_groups(result.groups, {p.kindergarten_id: p for p in people}) == []


@settings(FAST, max_examples=100)
@given(data=candidate_sets(), size=st.sampled_from((2, 3)), shuffle=st.randoms())
def test_suggest_groups_is_deterministic_when_input_is_repeated_or_shuffled(
    data: tuple[list[Candidate], dict[frozenset[int], int]], size: int, shuffle: random.Random
) -> None:
    people, history = data
    shuffled = list(people)
    shuffle.shuffle(shuffled)
    reordered_history = dict(reversed(list(history.items())))

    first = suggest_groups(people, group_size=size, history=history)
    again = suggest_groups(people, group_size=size, history=history)
    other_order = suggest_groups(shuffled, group_size=size, history=reordered_history)

    assert again == first
    assert other_order == first


@settings(max_examples=200, deadline=None, database=None)
@given(data=candidate_sets(max_size=7), size=st.sampled_from((2, 3)))
def test_suggest_groups_reaches_exhaustive_optimum_for_mixing_and_placement(
    data: tuple[list[Candidate], dict[frozenset[int], int]], size: int
) -> None:
    people, history = data

    result = suggest_groups(people, group_size=size, history=history)

    best = max(
        (sum(is_mixed(g) for g in grouping), sum(len(g) for g in grouping))
        for grouping in partitions(people, size, 2)
    )
    assert (result.stats.mixed_groups, result.stats.placed) == best


# -- soft rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5, 17])
def test_suggest_groups_mixes_every_pair_when_urban_and_rural_counties_match(k: int) -> None:
    urban = [kg(i, county=i, locale="urban") for i in range(1, k + 1)]
    rural = [kg(100 + i, county=100 + i, locale="rural") for i in range(1, k + 1)]

    result = suggest_groups(urban + rural, group_size=2)

    assert len(result.groups) == k
    assert result.stats.mixed_groups == k
    assert not result.unpaired


def test_suggest_groups_mixes_every_pair_when_counties_hold_both_locales() -> None:
    # Each county has one urban and one rural kindergarten: a greedy "same index" pairing
    # would put them together; the engine must cross counties and still mix every pair.
    people = [kg(10 * c, c, "urban") for c in range(1, 5)]
    people += [kg(10 * c + 1, c, "rural") for c in range(1, 5)]

    result = suggest_groups(people, group_size=2)

    assert result.stats.mixed_groups == 4
    assert_hard_rules(result, people, 2)


def test_suggest_groups_mixes_every_triple_when_each_has_an_urban_partner() -> None:
    urban = [kg(i, county=i, locale="urban") for i in range(1, 5)]
    others = [kg(100 + i, 100 + i, "town" if i % 2 else "rural") for i in range(1, 9)]

    result = suggest_groups(urban + others, group_size=3)

    assert [len(g.kindergarten_ids) for g in result.groups] == [3, 3, 3, 3]
    assert result.stats.mixed_groups == 4
    for group in result.groups:
        assert group.kindergarten_ids[0] <= 4  # 城区园 is listed first


def test_suggest_groups_avoids_pair_that_met_before() -> None:
    people = [kg(1, 1, "urban"), kg(2, 2, "urban"), kg(3, 3, "rural"), kg(4, 4, "rural")]
    fresh = suggest_groups(people, group_size=2)
    first_pair = frozenset(fresh.groups[0].kindergarten_ids)

    with_history = suggest_groups(people, group_size=2, history={first_pair: 1})

    assert first_pair not in {frozenset(g.kindergarten_ids) for g in with_history.groups}
    assert with_history.stats.repeated_pairs == 0
    assert with_history.stats.mixed_groups == 2


def test_suggest_groups_prefers_older_meeting_when_repeat_is_unavoidable() -> None:
    people = [kg(1, 1, "urban"), kg(2, 2, "rural"), kg(3, 3, "rural")]
    # 1 must meet 2 or 3 (the other is left out); the weights say 1–2 met more recently.
    history = {frozenset((1, 2)): 3, frozenset((1, 3)): 1}

    result = suggest_groups(people, group_size=2, history=history)

    assert result.groups[0].kindergarten_ids == (1, 3)
    assert "1号幼儿园与3号幼儿园此前曾同组" in result.groups[0].reason
    assert [u.kindergarten_id for u in result.unpaired] == [2]


def test_suggest_groups_accepts_history_as_bare_pairs() -> None:
    people = [kg(1, 1, "urban"), kg(2, 2, "urban"), kg(3, 3, "rural"), kg(4, 4, "rural")]
    pairs = {frozenset((1, 3)), frozenset((2, 4))}

    as_set = suggest_groups(people, group_size=2, history=pairs)
    as_mapping = suggest_groups(people, group_size=2, history=dict.fromkeys(pairs, 1))

    assert as_set == as_mapping
    assert {g.kindergarten_ids for g in as_set.groups} == {(1, 4), (2, 3)}


def test_suggest_groups_spreads_a_zones_kindergartens_over_partner_zones() -> None:
    # Zone 11 (county 1) and zone 41 (county 4) are urban; zones 21 and 31 rural. Pairing
    # 1↔21, 1↔21 would make the same two zones meet twice; a spread pairing never does.
    people = [
        kg(1, 1, "urban", zone=11),
        kg(2, 1, "urban", zone=11),
        kg(3, 4, "urban", zone=41),
        kg(4, 4, "urban", zone=41),
        kg(5, 2, "rural", zone=21),
        kg(6, 2, "rural", zone=21),
        kg(7, 3, "rural", zone=31),
        kg(8, 3, "rural", zone=31),
    ]
    zone = {p.kindergarten_id: p.zone_id for p in people}

    result = suggest_groups(people, group_size=2)

    assert result.stats.zone_repeats == 0
    meetings = Counter(frozenset(zone[k] for k in g.kindergarten_ids) for g in result.groups)
    assert set(meetings.values()) == {1}
    assert result.stats.mixed_groups == 4


def test_suggest_groups_spread_does_not_override_history() -> None:
    # Spreading zone 11 over zones 21 and 31 needs kindergarten 7 (zone 31), which has met
    # both urban kindergartens before; avoiding the repeated pair (tier 3) wins over avoiding
    # the repeated zone meeting 11–21 (tier 4).
    people = [
        kg(1, 1, "urban", zone=11),
        kg(2, 1, "urban", zone=11),
        kg(5, 2, "rural", zone=21),
        kg(6, 2, "rural", zone=21),
        kg(7, 3, "rural", zone=31),
    ]
    history = {frozenset((1, 7)): 1, frozenset((2, 7)): 1}

    without_history = suggest_groups(people, group_size=2)
    result = suggest_groups(people, group_size=2, history=history)

    assert without_history.stats.zone_repeats == 0
    assert result.stats.repeated_pairs == 0
    assert result.stats.zone_repeats == 1
    assert [u.kindergarten_id for u in result.unpaired] == [7]


# -- reasons ------------------------------------------------------------------------------------


def test_suggest_groups_explains_group_in_one_chinese_line() -> None:
    people = [kg(1, 1, "urban"), kg(2, 2, "rural")]

    result = suggest_groups(people, group_size=2)

    assert result.groups == (
        Group(kindergarten_ids=(1, 2), reason="灵宝市城区园与卢氏县乡村园结对；此前未同组"),
    )


def test_suggest_groups_explains_group_without_urban_partner() -> None:
    people = [kg(1, 1, "urban"), kg(2, 2, "rural"), kg(3, 3, "town"), kg(4, 4, "rural")]

    result = suggest_groups(people, group_size=2)

    reasons = sorted(g.reason for g in result.groups)
    assert result.stats.mixed_groups == 1
    assert any("可搭配的城区园已用完" in r for r in reasons)
    assert all("\n" not in r for r in reasons)


def test_suggest_groups_leaves_everyone_unpaired_when_one_county() -> None:
    people = [kg(1, 1, "urban"), kg(2, 1, "rural"), kg(3, 1, "town")]

    result = suggest_groups(people, group_size=2)

    assert result.groups == ()
    assert [(u.kindergarten_id, u.reason) for u in result.unpaired] == [
        (1, REASON_ONE_COUNTY),
        (2, REASON_ONE_COUNTY),
        (3, REASON_ONE_COUNTY),
    ]
    assert REASON_ONE_COUNTY == "候选园均来自同一县（市、区），无法跨县分组"


def test_suggest_groups_leaves_odd_one_out_with_reason() -> None:
    people = [kg(1, 1, "urban"), kg(2, 2, "rural"), kg(3, 3, "rural")]

    result = suggest_groups(people, group_size=2)

    assert len(result.groups) == 1
    assert [u.reason for u in result.unpaired] == [REASON_TOO_FEW]
    assert REASON_TOO_FEW == "人数不足以再组成一组"


def test_suggest_groups_names_county_with_surplus_candidates() -> None:
    people = [kg(i, 1, "rural") for i in range(1, 6)] + [kg(10, 2, "urban")]

    result = suggest_groups(people, group_size=2)

    assert len(result.groups) == 1
    assert len(result.unpaired) == 4
    expected = REASON_COUNTY_SURPLUS.format(county="灵宝市")
    assert {u.reason for u in result.unpaired} == {expected}


# -- group size 3 -------------------------------------------------------------------------------


def test_suggest_groups_uses_two_pairs_when_three_do_not_divide_count() -> None:
    people = [kg(i, i, "urban" if i <= 3 else "rural") for i in range(1, 8)]

    result = suggest_groups(people, group_size=3)

    assert sorted(len(g.kindergarten_ids) for g in result.groups) == [2, 2, 3]
    assert not result.unpaired
    assert result.stats.mixed_groups == 3
    pair_reasons = [g.reason for g in result.groups if len(g.kindergarten_ids) == 2]
    assert all(r.endswith("为让更多园参与，本组为两所园") for r in pair_reasons)


def test_suggest_groups_forms_only_triples_when_count_divides() -> None:
    people = [kg(i, i, LOCALES[i % 3]) for i in range(1, 10)]

    result = suggest_groups(people, group_size=3)

    assert [len(g.kindergarten_ids) for g in result.groups] == [3, 3, 3]
    assert result.stats.mixed_groups == 3


def test_suggest_groups_explains_two_counties_cannot_make_triples() -> None:
    people = [kg(1, 1, "urban"), kg(2, 1, "rural"), kg(3, 2, "urban"), kg(4, 2, "rural")]
    people += [kg(5, 1, "town"), kg(6, 2, "town")]

    result = suggest_groups(people, group_size=3)

    assert all(len(g.kindergarten_ids) == 2 for g in result.groups)
    assert len(result.groups) == 2
    assert {u.reason for u in result.unpaired} == {REASON_TWO_COUNTIES}


def test_suggest_groups_keeps_triple_county_distinct_with_dominant_county() -> None:
    people = [kg(i, 1, "rural") for i in range(1, 9)]
    people += [kg(20 + i, 1 + i, "urban") for i in range(1, 5)]

    result = suggest_groups(people, group_size=3)

    # Each group can take one county-1 kindergarten; with four urban partners and at most two
    # pairs the best is two pairs and one triple (城区+城区+乡村): seven placed, all mixed.
    assert_hard_rules(result, people, 3)
    assert sorted(len(g.kindergarten_ids) for g in result.groups) == [2, 2, 3]
    assert result.stats.mixed_groups == 3
    assert len(result.unpaired) == 5


# -- input checks -------------------------------------------------------------------------------


def test_suggest_groups_rejects_group_size_other_than_two_or_three() -> None:
    with pytest.raises(ValueError, match="group_size"):
        suggest_groups([kg(1, 1), kg(2, 2)], group_size=4)


def test_suggest_groups_rejects_duplicate_candidate() -> None:
    with pytest.raises(ValueError, match="twice"):
        suggest_groups([kg(1, 1), kg(1, 2)], group_size=2)


def test_suggest_groups_returns_empty_result_for_no_candidates() -> None:
    result = suggest_groups([], group_size=2)

    assert result.groups == ()
    assert result.unpaired == ()


# -- validate_groups ----------------------------------------------------------------------------


def candidates_by_id() -> dict[int, Candidate]:
    people = [kg(1, 1, "urban"), kg(2, 2, "rural"), kg(3, 1, "rural"), kg(4, 3, "town")]
    return {p.kindergarten_id: p for p in people}


def test_validate_groups_accepts_valid_groups() -> None:
    assert validate_groups([[1, 2], [3, 4]], candidates_by_id()) == []


def test_validate_groups_reports_same_county() -> None:
    problems = validate_groups([[1, 3], [2, 4]], candidates_by_id())

    assert [(p.code, p.group_index, p.kindergarten_ids) for p in problems] == [
        ("pairing.same_county", 0, (1, 3))
    ]
    assert "灵宝市" in problems[0].message


def test_validate_groups_reports_kindergarten_in_two_groups() -> None:
    problems = validate_groups([[1, 2], [2, 4]], candidates_by_id())

    assert [(p.code, p.group_index, p.kindergarten_ids) for p in problems] == [
        ("pairing.duplicate_member", 1, (2,))
    ]


def test_validate_groups_reports_group_smaller_than_two() -> None:
    problems = validate_groups([[1, 2], [4]], candidates_by_id())

    assert [(p.code, p.group_index) for p in problems] == [("pairing.group_too_small", 1)]


def test_validate_groups_reports_unknown_kindergarten() -> None:
    problems = validate_groups([Group(kindergarten_ids=(1, 99), reason="")], candidates_by_id())

    assert [(p.code, p.kindergarten_ids) for p in problems] == [
        ("pairing.unknown_kindergarten", (99,))
    ]


def test_partitions_helper_counts_small_case() -> None:
    # Guards the exhaustive oracle itself: 3 kindergartens of 3 counties, pairs only.
    people = [kg(1, 1), kg(2, 2), kg(3, 3)]

    groupings = list(partitions(people, 2, 2))

    assert sorted(len(g) for g in groupings) == [0, 1, 1, 1]
    assert all(len(set(itertools.chain(*g))) == 2 * len(g) for g in groupings)
