"""Benchmark of the pairing suggestion engine: ``.venv/bin/python tests/bench/bench_pairing.py``.

Builds a province-sized candidate list (2,000 kindergartens over 100 counties, about eight
zones each, 城区/镇区/乡村 roughly 30/25/45 %, each with about four earlier partners), then times
``suggest_groups`` for group sizes 2 and 3. Times are printed next to two baselines measured in
the same run on the same machine — building and sorting the candidate list, and the same
suggestion for 200 candidates over 10 counties — so the figures stay comparable across
machines; ratios use CPU time, which a busy machine disturbs less than wall time. No
assertions on time: this is a measurement, not a test.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from functools import partial

from lianyan.exchanges.pairing import Candidate, PairingResult, suggest_groups
from lianyan.schemas import Locale

COUNTIES = 100
ZONES_PER_COUNTY = 8
LOCALES: tuple[Locale, ...] = ("urban", "town", "rural")
LOCALE_SHARES = (0.30, 0.25, 0.45)
REPEATS = 5


def make_candidates(count: int, counties: int, seed: int) -> list[Candidate]:
    """A deterministic, realistic candidate list: uneven counties, zones, locale mix."""
    rng = random.Random(seed)
    county_weight = [rng.uniform(0.5, 1.5) for _ in range(counties)]
    people = []
    for kid in range(1, count + 1):
        county = rng.choices(range(1, counties + 1), county_weight)[0]
        people.append(
            Candidate(
                kindergarten_id=kid,
                county_id=county,
                zone_id=county * 100 + rng.randrange(ZONES_PER_COUNTY),
                locale=rng.choices(LOCALES, LOCALE_SHARES)[0],
                name=f"第{kid}幼儿园",
                county_name=f"{county}县",
            )
        )
    rng.shuffle(people)
    return people


def make_history(
    people: list[Candidate], meetings_each: int, seed: int
) -> dict[frozenset[int], int]:
    """Earlier meetings: each kindergarten met about ``meetings_each`` others, weight 1–3."""
    rng = random.Random(seed)
    ids = [p.kindergarten_id for p in people]
    history: dict[frozenset[int], int] = {}
    for _ in range(len(ids) * meetings_each // 2):
        a, b = rng.sample(ids, 2)
        history[frozenset((a, b))] = rng.randint(1, 3)
    return history


def timed(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """Median wall time and median CPU time of ``repeats`` runs, in seconds."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def describe(result: PairingResult) -> str:
    s = result.stats
    return (
        f"groups={s.groups} mixed={s.mixed_groups} placed={s.placed} unpaired={s.unpaired} "
        f"repeats={s.repeated_pairs} zone_repeats={s.zone_repeats}"
    )


def main() -> None:
    """Run the benchmark and print seconds and ratios against the in-run baselines."""
    big = make_candidates(2000, COUNTIES, seed=1)
    small = make_candidates(200, COUNTIES // 10, seed=2)
    big_history = make_history(big, 4, seed=3)
    small_history = make_history(small, 4, seed=4)

    build_wall, build_cpu = timed(
        lambda: sorted(make_candidates(2000, COUNTIES, seed=1), key=lambda c: c.kindergarten_id)
    )
    print("median of", REPEATS, "runs; wall / CPU seconds; ratios on CPU time (load-proof)")
    print(f"baseline  build+sort 2,000 candidates: {build_wall:7.4f} / {build_cpu:7.4f} s")
    for size in (2, 3):
        small_wall, small_cpu = timed(
            partial(suggest_groups, small, group_size=size, history=small_history)
        )
        big_wall, big_cpu = timed(
            partial(suggest_groups, big, group_size=size, history=big_history)
        )
        result = suggest_groups(big, group_size=size, history=big_history)
        print(f"group_size={size}")
        print(f"  200 candidates:   {small_wall:7.4f} / {small_cpu:7.4f} s")
        print(
            f"  2,000 candidates: {big_wall:7.4f} / {big_cpu:7.4f} s   "
            f"x{big_cpu / build_cpu:5.1f} build+sort   x{big_cpu / small_cpu:5.1f} the 200 run"
        )
        print(f"  {describe(result)}")


if __name__ == "__main__":
    main()
