"""Pairing suggestion engine for 同研异构 exchanges (domain.md §4) — pure: no database, no web.

``suggest_groups`` splits candidate kindergartens into groups of 2 or 3 and explains each group
in one Chinese line; ``validate_groups`` checks groups an officer edited by hand. What is
optimised, and why the engine is built the way it is, is written down in ``docs/pairing.md``;
keep the two in step.

The objective is lexicographic. Hard: no two kindergartens of one county in a group. Soft, in
order: (1) the number of groups mixing 城区 with 乡村/镇区, (2) the number of kindergartens placed,
(3) the total history weight of pairs that met before, (4) repeated meetings of the same two
zones. Tiers 1 and 2 depend only on how many urban and non-urban candidates each county has,
so they are solved exactly on a county-level flow network (a few hundred nodes even for
thousands of candidates); individuals are then laid into the planned groups and tiers 3 and 4
are improved by a deterministic swap search that cannot touch tiers 1 and 2.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

import msgspec

from lianyan.labels import LOCALE
from lianyan.schemas import Locale

__all__ = [
    "REASON_COUNTY_SURPLUS",
    "REASON_ONE_COUNTY",
    "REASON_TOO_FEW",
    "REASON_TWO_COUNTIES",
    "REASON_TWO_COUNTIES_LEFT",
    "Candidate",
    "Group",
    "GroupProblem",
    "History",
    "PairingResult",
    "PairingStats",
    "Unpaired",
    "suggest_groups",
    "validate_groups",
]

GROUP_SIZES: Final = (2, 3)
MAX_PAIRS_WHEN_TRIPLES: Final = 2
"""With ``group_size=3`` at most this many groups of two are formed (3k+1 = 3(k-1)+2+2)."""

SWAP_EVALUATION_BUDGET: Final = 12_000
SWAP_WINDOW: Final = 1_500
"""Bounds on the improvement pass: moves evaluated in all, and for one member that has to
move. Counted, not timed, so the result never depends on machine speed; they only bind when
repeats cannot be avoided (few counties or zones, dense history) — see docs/pairing.md."""

REASON_ONE_COUNTY: Final = "候选园均来自同一县（市、区），无法跨县分组"
REASON_TOO_FEW: Final = "人数不足以再组成一组"
REASON_TWO_COUNTIES: Final = (
    "候选园只来自两个县（市、区），凑不齐三所不同县（市、区）的园；可改为两园一组"
)
REASON_TWO_COUNTIES_LEFT: Final = "剩余候选园只来自两个县（市、区），凑不齐三所不同县（市、区）的园"
REASON_COUNTY_SURPLUS: Final = (
    "{county}候选园较多，其他县（市、区）的园已全部分组，同县（市、区）的园不能同组"
)

_URBAN: Final = 0
_NON_URBAN: Final = 1
_LOCALE_ORDER: Final = {"urban": 0, "town": 1, "rural": 2}
_INF: Final = 1 << 60


class Candidate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A kindergarten offered for pairing, with the names used in the reasons."""

    kindergarten_id: int
    county_id: int
    zone_id: int | None
    locale: Locale
    name: str = ""
    county_name: str = ""


class Group(msgspec.Struct, frozen=True, kw_only=True):
    """One suggested group: members (城区 first, then 镇区, 乡村; by id) and why they met."""

    kindergarten_ids: tuple[int, ...]
    reason: str


class Unpaired(msgspec.Struct, frozen=True, kw_only=True):
    """A candidate the suggestion could not place, with the reason in Chinese."""

    kindergarten_id: int
    reason: str


class PairingStats(msgspec.Struct, frozen=True, kw_only=True):
    """The value of each objective tier for a suggestion (see docs/pairing.md)."""

    groups: int
    mixed_groups: int
    placed: int
    unpaired: int
    repeated_pairs: int
    repeat_weight: int
    zone_repeats: int


class PairingResult(msgspec.Struct, frozen=True, kw_only=True):
    """A pairing suggestion: groups, candidates left out, and the objective values."""

    groups: tuple[Group, ...]
    unpaired: tuple[Unpaired, ...]
    stats: PairingStats


class GroupProblem(msgspec.Struct, frozen=True, kw_only=True):
    """A rule an edited grouping breaks; ``code`` is the application-error code to raise."""

    code: str
    message: str
    group_index: int
    kindergarten_ids: tuple[int, ...]


History = Mapping[frozenset[int], int] | Iterable[frozenset[int]]
"""Pairs that met before: a mapping pair → weight (count or recency weight), or bare pairs."""


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def suggest_groups(
    candidates: Sequence[Candidate], *, group_size: int, history: History = ()
) -> PairingResult:
    """Suggest groups of ``group_size`` (2 or 3); deterministic, whatever the input order."""
    if group_size not in GROUP_SIZES:
        raise ValueError(f"group_size must be 2 or 3, not {group_size!r}")
    people = _canonical(candidates)
    weights = _history_weights(history, {c.kindergarten_id: i for i, c in enumerate(people)})
    engine = _Engine(people, group_size, weights)
    return engine.run()


def validate_groups(
    groups: Sequence[Group | Sequence[int]], candidates_by_id: Mapping[int, Candidate]
) -> list[GroupProblem]:
    """List every rule that hand-edited groups break; an empty list means they may be saved."""
    problems: list[GroupProblem] = []
    seen_in: dict[int, int] = {}
    for index, group in enumerate(groups):
        ids = tuple(group.kindergarten_ids if isinstance(group, Group) else group)
        if len(ids) < 2:
            problems.append(
                GroupProblem(
                    code="pairing.group_too_small",
                    message=f"第{index + 1}组少于两所幼儿园，无法开展同研异构",
                    group_index=index,
                    kindergarten_ids=ids,
                )
            )
        unknown = tuple(kid for kid in ids if kid not in candidates_by_id)
        if unknown:
            problems.append(
                GroupProblem(
                    code="pairing.unknown_kindergarten",
                    message=f"第{index + 1}组含有不在候选名单中的幼儿园",
                    group_index=index,
                    kindergarten_ids=unknown,
                )
            )
        by_county: dict[int, list[int]] = {}
        for kid in ids:
            candidate = candidates_by_id.get(kid)
            if candidate is not None:
                by_county.setdefault(candidate.county_id, []).append(kid)
        for members in by_county.values():
            if len(members) > 1:
                county = _county_label(candidates_by_id[members[0]])
                problems.append(
                    GroupProblem(
                        code="pairing.same_county",
                        message=f"第{index + 1}组有{len(members)}所幼儿园同属{county}，"
                        "同一县（市、区）的幼儿园不能分在一组",
                        group_index=index,
                        kindergarten_ids=tuple(members),
                    )
                )
        for kid in ids:
            if kid in seen_in:
                first = seen_in[kid]
                where = "本组内重复出现" if first == index else f"已在第{first + 1}组中"
                problems.append(
                    GroupProblem(
                        code="pairing.duplicate_member",
                        message=f"第{index + 1}组的幼儿园{where}，一所幼儿园只能在一个组",
                        group_index=index,
                        kindergarten_ids=(kid,),
                    )
                )
            else:
                seen_in[kid] = index
    return problems


# ---------------------------------------------------------------------------------------------
# Input normalisation
# ---------------------------------------------------------------------------------------------


def _canonical(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Candidates sorted by id, so that nothing downstream can depend on the input order."""
    people = sorted(candidates, key=lambda c: c.kindergarten_id)
    for before, after in itertools.pairwise(people):
        if before.kindergarten_id == after.kindergarten_id:
            raise ValueError(f"kindergarten {after.kindergarten_id} is a candidate twice")
    for person in people:
        if person.locale not in _LOCALE_ORDER:
            raise ValueError(f"unknown locale {person.locale!r} for {person.kindergarten_id}")
    return people


def _history_weights(history: History, index_of: Mapping[int, int]) -> list[dict[int, int]]:
    """Per candidate index, the weight of each earlier partner among the candidates."""
    weights: list[dict[int, int]] = [{} for _ in index_of]
    if isinstance(history, Mapping):
        items: Iterable[tuple[Iterable[int], int]] = history.items()
    else:
        items = ((pair, 1) for pair in history)
    for pair, weight in items:
        ids = frozenset(pair)
        if len(ids) != 2:
            raise ValueError(f"a history pair names two kindergartens, not {sorted(ids)}")
        if weight <= 0:
            continue
        a, b = sorted(ids)
        if a in index_of and b in index_of:
            i, j = index_of[a], index_of[b]
            weights[i][j] = weights[i].get(j, 0) + int(weight)
            weights[j][i] = weights[j].get(i, 0) + int(weight)
    return weights


# ---------------------------------------------------------------------------------------------
# Flow network: Dinic max flow and primal-dual min-cost flow on a small graph
# ---------------------------------------------------------------------------------------------


class _Network:
    """A residual graph; arcs are stored in pairs (arc ``e`` and its reverse ``e ^ 1``)."""

    __slots__ = ("adj", "cap", "cost", "head", "to")

    def __init__(self, nodes: int) -> None:
        self.adj: list[list[int]] = [[] for _ in range(nodes)]
        self.to: list[int] = []
        self.head: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def add(self, u: int, v: int, cap: int, cost: int = 0) -> int:
        """Add arc u→v and return its index (its flow is the reverse arc's capacity)."""
        e = len(self.to)
        self.to += (v, u)
        self.head += (u, v)
        self.cap += (cap, 0)
        self.cost += (cost, -cost)
        self.adj[u].append(e)
        self.adj[v].append(e + 1)
        return e

    def flow(self, e: int) -> int:
        """Flow currently on arc ``e``."""
        return self.cap[e ^ 1]

    def max_flow(self, s: int, t: int, limit: int, allowed: list[bool] | None = None) -> int:
        """Dinic's algorithm, optionally restricted to the arcs marked in ``allowed``."""
        total = 0
        adj, to, cap = self.adj, self.to, self.cap
        n = len(adj)
        while total < limit:
            level = [-1] * n
            level[s] = 0
            queue = deque([s])
            while queue:
                u = queue.popleft()
                for e in adj[u]:
                    v = to[e]
                    if cap[e] > 0 and level[v] < 0 and (allowed is None or allowed[e]):
                        level[v] = level[u] + 1
                        queue.append(v)
            if level[t] < 0:
                break
            cursor = [0] * n
            while total < limit:
                pushed = self._push_one(s, t, limit - total, level, cursor, allowed)
                if not pushed:
                    break
                total += pushed
        return total

    def _push_one(
        self,
        s: int,
        t: int,
        limit: int,
        level: list[int],
        cursor: list[int],
        allowed: list[bool] | None,
    ) -> int:
        """Find one augmenting path in the level graph (iteratively) and push along it."""
        adj, to, cap = self.adj, self.to, self.cap
        stack = [s]
        path: list[int] = []
        while stack:
            u = stack[-1]
            if u == t:
                pushed = min(limit, min(cap[e] for e in path))
                for e in path:
                    cap[e] -= pushed
                    cap[e ^ 1] += pushed
                return pushed
            arcs = adj[u]
            while cursor[u] < len(arcs):
                e = arcs[cursor[u]]
                v = to[e]
                if cap[e] > 0 and level[v] == level[u] + 1 and (allowed is None or allowed[e]):
                    stack.append(v)
                    path.append(e)
                    break
                cursor[u] += 1
            else:
                # A dead end stays dead for the rest of this phase.
                level[u] = -1
                stack.pop()
                if path:
                    path.pop()
                    cursor[stack[-1]] += 1
        return 0

    def min_cost_flow(self, s: int, t: int, amount: int) -> int:
        """Primal-dual: Dijkstra potentials, then a max flow on the zero-reduced-cost arcs.

        Costs must be non-negative. Each phase lengthens the shortest path, and our costs are
        0/1, so there are only a handful of phases. Returns the flow sent.
        """
        n = len(self.adj)
        adj, to, cap, cost, head = self.adj, self.to, self.cap, self.cost, self.head
        potential = [0] * n
        sent = 0
        while sent < amount:
            dist = [_INF] * n
            dist[s] = 0
            heap = [(0, s)]
            while heap:
                d, u = heapq.heappop(heap)
                if d > dist[u]:
                    continue
                pu = potential[u]
                for e in adj[u]:
                    if cap[e] > 0:
                        v = to[e]
                        nd = d + cost[e] + pu - potential[v]
                        if nd < dist[v]:
                            dist[v] = nd
                            heapq.heappush(heap, (nd, v))
            if dist[t] >= _INF:
                break
            reach = dist[t]
            for v in range(n):
                potential[v] += min(dist[v], reach)
            allowed = [cost[e] + potential[head[e]] - potential[to[e]] == 0 for e in range(len(to))]
            pushed = self.max_flow(s, t, amount - sent, allowed)
            if not pushed:
                break
            sent += pushed
        return sent


# ---------------------------------------------------------------------------------------------
# County-level plan (tiers 1 and 2)
# ---------------------------------------------------------------------------------------------


class _MixedFlow(msgspec.Struct, frozen=True):
    """Per county (or class): urban in row A, non-urban in row B, either kind in row C."""

    row_a: tuple[int, ...]
    row_b: tuple[int, ...]
    third_urban: tuple[int, ...]
    third_non_urban: tuple[int, ...]


class _PureShape(msgspec.Struct, frozen=True):
    """Single-kind groups made of one kind's leftovers: ``triples`` + ``pairs`` groups."""

    triples: int
    pairs: int
    take: tuple[int, ...]

    @property
    def placed(self) -> int:
        return 3 * self.triples + 2 * self.pairs


class _Plan(msgspec.Struct, frozen=True):
    """How many groups of each shape, and how many of each county's candidates go where."""

    mixed: int
    mixed_pairs: int
    flow: _MixedFlow
    pure: tuple[_PureShape, _PureShape]


class _Classes(msgspec.Struct, frozen=True):
    """Counties grouped by (urban, non-urban) candidate counts.

    Counties with equal counts are interchangeable in tiers 1–2, so the flow runs on one node
    per class with capacities scaled by the class size; a class flow is spread back over its
    counties evenly (``_spread``). Thousands of one-candidate counties become two classes.
    """

    urban: tuple[int, ...]
    non_urban: tuple[int, ...]
    size: tuple[int, ...]
    counties: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, urban: Sequence[int], non_urban: Sequence[int]) -> _Classes:
        by_shape: dict[tuple[int, int], list[int]] = {}
        for c, shape in enumerate(zip(urban, non_urban, strict=True)):
            by_shape.setdefault(shape, []).append(c)
        shapes = sorted(by_shape)
        return cls(
            urban=tuple(u for u, _ in shapes),
            non_urban=tuple(n for _, n in shapes),
            size=tuple(len(by_shape[k]) for k in shapes),
            counties=tuple(tuple(by_shape[k]) for k in shapes),
        )


def _mixed_network(
    classes: _Classes, columns: int, thirds: int, thresholds: tuple[int, int] | None
) -> tuple[_Network, list[tuple[int, int, int, int]]]:
    """The class network for ``columns`` mixed groups of which ``thirds`` have a third member.

    Rows A (urban) and B (non-urban) each need ``columns`` units, row C ``thirds`` units of
    either kind; a county sends at most ``columns`` units in all, which by König's edge
    colouring theorem is exactly what lets the units be laid into groups without two of one
    county in a group. With ``thresholds``, a county's units beyond its leftover threshold
    cost 0 and the others 1, so the cheapest flow leaves balanced leftovers.
    """
    s, t, row_a, row_b, row_c = 0, 1, 2, 3, 4
    net = _Network(5 + 3 * len(classes.size))
    arcs: list[tuple[int, int, int, int]] = []
    for k, (urban, non_urban, m) in enumerate(
        zip(classes.urban, classes.non_urban, classes.size, strict=True)
    ):
        node, u_node, n_node = 5 + 3 * k, 6 + 3 * k, 7 + 3 * k
        net.add(s, node, m * min(columns, urban + non_urban))
        for kind_node, size, threshold in (
            (u_node, urban, thresholds[0] if thresholds else None),
            (n_node, non_urban, thresholds[1] if thresholds else None),
        ):
            if threshold is None:
                net.add(node, kind_node, m * size)
            else:
                surplus = max(0, size - threshold)
                net.add(node, kind_node, m * surplus, 0)
                net.add(node, kind_node, m * (size - surplus), 1)
        arcs.append(
            (
                net.add(u_node, row_a, m * urban),
                net.add(n_node, row_b, m * non_urban),
                net.add(u_node, row_c, m * urban) if thirds else -1,
                net.add(n_node, row_c, m * non_urban) if thirds else -1,
            )
        )
    net.add(row_a, t, columns)
    net.add(row_b, t, columns)
    if thirds:
        net.add(row_c, t, thirds)
    return net, arcs


def _read_flow(net: _Network, arcs: list[tuple[int, int, int, int]]) -> _MixedFlow:
    def flows(position: int) -> tuple[int, ...]:
        return tuple(net.flow(a[position]) if a[position] >= 0 else 0 for a in arcs)

    return _MixedFlow(
        row_a=flows(0), row_b=flows(1), third_urban=flows(2), third_non_urban=flows(3)
    )


def _spread(flow: _MixedFlow, classes: _Classes, counties: int) -> _MixedFlow:
    """Per-county flow from a class flow: the class's units in the order A, C-urban,
    C-non-urban, B are dealt round-robin over its counties, so every county gets within one
    of an equal share of urban units, of non-urban units and of units in all; no county can
    exceed a cap the class total respects."""
    rows: list[list[int]] = [[0] * counties for _ in range(4)]
    for k, members in enumerate(classes.counties):
        dealt = 0
        for row in (0, 2, 3, 1):
            units = (flow.row_a, flow.row_b, flow.third_urban, flow.third_non_urban)[row][k]
            whole, extra = divmod(units, len(members))
            for position in range(len(members)):
                # Positions dealt..dealt+extra-1 (cyclically) receive the extra unit.
                gets_extra = (position - dealt) % len(members) < extra
                rows[row][members[position]] = whole + gets_extra
            dealt = (dealt + units) % len(members)
    return _MixedFlow(
        row_a=tuple(rows[0]),
        row_b=tuple(rows[1]),
        third_urban=tuple(rows[2]),
        third_non_urban=tuple(rows[3]),
    )


def _mixed_feasible(classes: _Classes, columns: int, thirds: int) -> bool:
    if columns == 0:
        return True
    net, _ = _mixed_network(classes, columns, thirds, None)
    need = 2 * columns + thirds
    return net.max_flow(0, 1, need) == need


def _max_mixed(classes: _Classes, group_size: int, mixed_pairs: int) -> int | None:
    """Largest number of mixed groups, ``mixed_pairs`` of them pairs (binary search: dropping
    a group from a feasible layout leaves a feasible layout, so feasibility is monotone)."""
    total_u = sum(u * m for u, m in zip(classes.urban, classes.size, strict=True))
    total_n = sum(n * m for n, m in zip(classes.non_urban, classes.size, strict=True))
    if group_size == 2:
        lo, hi = 0, min(total_u, total_n)
    else:
        lo = mixed_pairs
        hi = min(total_u, total_n, (total_u + total_n + mixed_pairs) // 3)

    def thirds(columns: int) -> int:
        return 0 if group_size == 2 else columns - mixed_pairs

    if hi < lo or not _mixed_feasible(classes, lo, thirds(lo)):
        return None
    if _mixed_feasible(classes, hi, thirds(hi)):
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _mixed_feasible(classes, mid, thirds(mid)):
            lo = mid
        else:
            hi = mid
    return lo


def _pure_shape(left: Sequence[int], group_size: int, pair_budget: int) -> _PureShape:
    """Most single-kind group members from ``left`` (per county) with at most ``pair_budget``
    pairs when triples are asked for.

    t triples and p pairs fit iff Σ min(left_c, t + p) ≥ 3t + 2p (König again: two full rows
    and one row of t over t + p columns); for pairs alone this is the classical
    min(⌊V/2⌋, V − max) bound.
    """
    total = sum(left)

    def fits(triples: int, pairs: int) -> bool:
        columns = triples + pairs
        return sum(min(x, columns) for x in left) >= 3 * triples + 2 * pairs

    best = (0, 0)
    if group_size == 2:
        lo, hi = 0, total // 2
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(0, mid):
                lo = mid
            else:
                hi = mid - 1
        best = (0, lo)
    else:
        for pairs in range(pair_budget + 1):
            if 2 * pairs > total or not fits(0, pairs):
                break
            lo, hi = 0, (total - 2 * pairs) // 3
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if fits(mid, pairs):
                    lo = mid
                else:
                    hi = mid - 1
            if 3 * lo + 2 * pairs > 3 * best[0] + 2 * best[1]:
                best = (lo, pairs)
    triples, pairs = best
    return _PureShape(
        triples=triples, pairs=pairs, take=_take(left, triples + pairs, 3 * triples + 2 * pairs)
    )


def _take(left: Sequence[int], columns: int, members: int) -> tuple[int, ...]:
    """How many of each county's leftovers fill the groups; the surplus is left out where a
    county has the most left (a heap keeps this O(surplus · log counties))."""
    take = [min(x, columns) for x in left]
    surplus = sum(take) - members
    heap = [(-x, c) for c, x in enumerate(take) if x > 0]
    heapq.heapify(heap)
    while surplus > 0:
        x, c = heapq.heappop(heap)
        take[c] -= 1
        surplus -= 1
        if take[c] > 0:
            heapq.heappush(heap, (x + 1, c))
    return tuple(take)


def _plan(urban: Sequence[int], non_urban: Sequence[int], group_size: int) -> _Plan:
    """The county-level plan maximising (mixed groups, placed), ties to fewer pairs."""
    classes = _Classes.of(urban, non_urban)
    counties = len(urban)
    total_u, total_n = sum(urban), sum(non_urban)
    pair_cap = MAX_PAIRS_WHEN_TRIPLES if group_size == 3 else 0
    # Placing is bounded by the best grouping that ignores locales; reaching it ends the
    # search early, which is the common case (no conflict between tiers 1 and 2 was found in
    # any exhaustively checked small instance, see docs/pairing.md).
    most_placed = _pure_shape(
        [u + n for u, n in zip(urban, non_urban, strict=True)], group_size, pair_cap
    ).placed
    best: tuple[tuple[int, int, int], _Plan] | None = None
    options = (0,) if group_size == 2 else tuple(range(MAX_PAIRS_WHEN_TRIPLES + 1))
    for mixed_pairs in options:
        if best is not None:
            ceiling = min(total_u, total_n, (total_u + total_n + mixed_pairs) // 3)
            best_columns, best_placed, _ = best[0]
            if ceiling < best_columns or (ceiling == best_columns and best_placed == most_placed):
                continue
        columns = _max_mixed(classes, group_size, mixed_pairs)
        if columns is None:
            continue
        thirds = 0 if group_size == 2 else columns - mixed_pairs
        budget = 0 if group_size == 2 else MAX_PAIRS_WHEN_TRIPLES - mixed_pairs
        for class_flow in _balanced_flows(classes, group_size, columns, thirds):
            flow = _spread(class_flow, classes, counties)
            left_u = [urban[c] - flow.row_a[c] - flow.third_urban[c] for c in range(counties)]
            left_n = [
                non_urban[c] - flow.row_b[c] - flow.third_non_urban[c] for c in range(counties)
            ]
            placed = 0
            for budget_u in range(budget + 1):
                pure_u = _pure_shape(left_u, group_size, budget_u)
                pure_n = _pure_shape(left_n, group_size, budget - pure_u.pairs)
                placed = 2 * columns + thirds + pure_u.placed + pure_n.placed
                pairs = (columns if group_size == 2 else mixed_pairs) + pure_u.pairs + pure_n.pairs
                score = (columns, placed, -pairs if group_size == 3 else 0)
                if best is None or score > best[0]:
                    best = (
                        score,
                        _Plan(
                            mixed=columns,
                            mixed_pairs=mixed_pairs if group_size == 3 else columns,
                            flow=flow,
                            pure=(pure_u, pure_n),
                        ),
                    )
                if placed == most_placed:
                    break
            if placed == most_placed:
                break
    assert best is not None  # mixed_pairs=0 with zero columns is always feasible
    return best[1]


def _balanced_flows(
    classes: _Classes, group_size: int, columns: int, thirds: int
) -> Iterator[_MixedFlow]:
    """Class flows for the mixed groups whose leftovers group well, best guess first.

    Pairs: a leftover vector v of one kind (total V) leaves exactly
    2·Σ max(0, v_c − ⌈V/2⌉) + (V mod 2) unpaired, and V is fixed once the number of mixed
    pairs is, so the 0/1 costs with threshold ⌈V/2⌉ make the min-cost flow exact for tier 2.
    Triples: V depends on the kind of each third and the exact loss is not separable, so a few
    thresholds (``_TRIPLE_THRESHOLD_RULES``) are estimated from a plain max flow and refined
    once; the caller scores every flow exactly, keeps the best, and stops asking once
    nothing better is possible.
    """
    total_u = sum(u * m for u, m in zip(classes.urban, classes.size, strict=True))
    total_n = sum(n * m for n, m in zip(classes.non_urban, classes.size, strict=True))
    need = 2 * columns + thirds
    if group_size == 2:
        thresholds = (-(-(total_u - columns) // 2), -(-(total_n - columns) // 2))
        net, arcs = _mixed_network(classes, columns, 0, thresholds)
        sent = net.min_cost_flow(0, 1, need)
        assert sent == need
        yield _read_flow(net, arcs)
        return
    net, arcs = _mixed_network(classes, columns, thirds, None)
    sent = net.max_flow(0, 1, need)
    assert sent == need
    first = _read_flow(net, arcs)
    yield first
    seen = [first]
    for rule in _TRIPLE_THRESHOLD_RULES:
        last = first
        for _ in range(2):
            left_u = total_u - sum(last.row_a) - sum(last.third_urban)
            left_n = total_n - sum(last.row_b) - sum(last.third_non_urban)
            net, arcs = _mixed_network(classes, columns, thirds, (rule(left_u), rule(left_n)))
            sent = net.min_cost_flow(0, 1, need)
            assert sent == need
            last = _read_flow(net, arcs)
            if last in seen:
                break
            seen.append(last)
            yield last


_TRIPLE_THRESHOLD_RULES: Final = (
    # Columns needed to place V leftovers as triples plus the pairs that absorb V mod 3.
    lambda v: (v + (-v) % 3) // 3,
    # Columns of triples only, and of pairs only (when the pair budget is what matters).
    lambda v: v // 3,
    lambda v: -(-v // 2),
)
"""Leftover thresholds tried for triples; each resulting flow is scored exactly."""


# ---------------------------------------------------------------------------------------------
# Laying individuals into the plan
# ---------------------------------------------------------------------------------------------


def _colour_columns(
    columns: int, rows: Sequence[Sequence[int]], county_order: Sequence[int]
) -> list[list[int]]:
    """Edge-colour the bipartite multigraph rows × counties with ``columns`` colours.

    ``rows[r][c]`` is how many of county c's members sit in row r. König's alternating-path
    argument always succeeds because no vertex has more than ``columns`` edges; with three rows
    a path visits each row once, so a recolouring touches at most seven edges. Returns, per
    row, the county in each column (-1 where the row has no member).
    """
    row_count = len(rows)
    at_row: list[list[int]] = [[-1] * columns for _ in range(row_count)]
    at_county: dict[int, dict[int, int]] = {c: {} for c in county_order}
    free: list[list[int]] = [list(range(columns)) for _ in range(row_count)]

    def assign(r: int, c: int, colour: int) -> None:
        at_row[r][colour] = c
        at_county[c][colour] = r

    for r in range(row_count):
        if r == 0:
            # Row A in county blocks; the other rows round-robin over counties, so that one
            # county's members meet many different counties (helps zone spread and history).
            sequence = [c for c in county_order for _ in range(rows[r][c])]
        else:
            queues = [[c] * rows[r][c] for c in county_order if rows[r][c]]
            sequence = []
            while queues:
                sequence += [q.pop() for q in queues]
                queues = [q for q in queues if q]
        for c in sequence:
            used = at_county[c]
            colour = next((x for x in free[r] if x not in used), None)
            if colour is None:
                alpha = free[r][0]
                beta = next(x for x in range(columns) if x not in used)
                _flip(at_row, at_county, c, alpha, beta)
                colour = alpha
                for rr in range(row_count):
                    free[rr] = [x for x in range(columns) if at_row[rr][x] < 0]
            free[r].remove(colour)
            assign(r, c, colour)
    return at_row


def _flip(
    at_row: list[list[int]], at_county: dict[int, dict[int, int]], start: int, alpha: int, beta: int
) -> None:
    """Swap colours alpha and beta along the alternating path that leaves county ``start``.

    The path leaves counties by alpha edges and rows by beta edges; since ``start`` misses
    beta it is a path, not a cycle, and it never reaches a row that misses alpha.
    """
    path: list[tuple[int, int, int]] = []  # (row, county, colour)
    county = start
    while True:
        row = at_county[county].get(alpha)
        if row is None:
            break
        path.append((row, county, alpha))
        nxt = at_row[row][beta]
        if nxt < 0:
            break
        path.append((row, nxt, beta))
        county = nxt
    for row, c, col in path:
        at_row[row][col] = -1
        del at_county[c][col]
    for row, c, col in path:
        new = beta if col == alpha else alpha
        at_row[row][new] = c
        at_county[c][new] = row


def _zone_interleaved(members: list[int], zone_of: Sequence[int], rotate: bool) -> list[int]:
    """Members in round-robin over their zones, so consecutive slots take different zones.

    With ``rotate`` each round starts one zone later: urban members are laid plain and
    non-urban ones rotated, so that two counties with the same number of zones do not pair
    the same zones round after round.
    """
    by_zone: dict[int, list[int]] = {}
    for m in members:
        by_zone.setdefault(zone_of[m], []).append(m)
    queues = [by_zone[z] for z in sorted(by_zone)]
    ordered: list[int] = []
    depth = 0
    while len(ordered) < len(members):
        round_ = [q[depth] for q in queues if depth < len(q)]
        if rotate and round_:
            shift = depth % len(round_)
            round_ = round_[shift:] + round_[:shift]
        ordered += round_
        depth += 1
    return ordered


class _Engine:
    """One suggestion run over canonical (id-sorted) candidates."""

    def __init__(self, people: list[Candidate], group_size: int, weights: list[dict[int, int]]):
        self.people = people
        self.size = group_size
        self.weights = weights
        self.county_ids = sorted({p.county_id for p in people})
        county_index = {cid: i for i, cid in enumerate(self.county_ids)}
        self.county = [county_index[p.county_id] for p in people]
        self.kind = [_URBAN if p.locale == "urban" else _NON_URBAN for p in people]
        # A zone lies inside one county; keying it by (county, zone) keeps that true even if
        # a caller's zone ids were only unique per county. -1-i: no zone, never repeats.
        zone_keys = sorted({(p.county_id, p.zone_id) for p in people if p.zone_id is not None})
        zone_index = {key: i for i, key in enumerate(zone_keys)}
        self.zone = [
            zone_index[(p.county_id, p.zone_id)] if p.zone_id is not None else -1 - i
            for i, p in enumerate(people)
        ]
        self.zone_count = len(zone_keys)

    # -- main ---------------------------------------------------------------------------------

    def run(self) -> PairingResult:
        counties = len(self.county_ids)
        pools: list[list[list[int]]] = [[[], []] for _ in range(counties)]
        for i in range(len(self.people)):
            pools[self.county[i]][self.kind[i]].append(i)
        pools = [
            [
                _zone_interleaved(p, self.zone, rotate=kind == _NON_URBAN)
                for kind, p in enumerate(pair)
            ]
            for pair in pools
        ]
        urban = [len(p[_URBAN]) for p in pools]
        non_urban = [len(p[_NON_URBAN]) for p in pools]
        plan = _plan(urban, non_urban, self.size)
        groups, unplaced = self._lay_out(plan, pools)
        groups, unplaced = self._improve(groups, unplaced)
        return self._result(groups, unplaced)

    def _lay_out(
        self, plan: _Plan, pools: list[list[list[int]]]
    ) -> tuple[list[list[int]], list[int]]:
        counties = len(pools)
        cursor = [[0, 0] for _ in range(counties)]

        def draw(c: int, kind: int) -> int:
            member = pools[c][kind][cursor[c][kind]]
            cursor[c][kind] += 1
            return member

        groups: list[list[int]] = []
        flow = plan.flow
        if plan.mixed:
            thirds = [flow.third_urban[c] + flow.third_non_urban[c] for c in range(counties)]
            rows = [list(flow.row_a), list(flow.row_b)]
            if self.size == 3:
                rows.append(thirds)
            load = [sum(r[c] for r in rows) for c in range(counties)]
            order = sorted(range(counties), key=lambda c: (-load[c], c))
            layout = _colour_columns(plan.mixed, rows, order)
            third_urban_left = list(flow.third_urban)
            for column in range(plan.mixed):
                group = [draw(layout[0][column], _URBAN), draw(layout[1][column], _NON_URBAN)]
                if len(layout) > 2 and layout[2][column] >= 0:
                    c = layout[2][column]
                    if third_urban_left[c]:
                        third_urban_left[c] -= 1
                        group.append(draw(c, _URBAN))
                    else:
                        group.append(draw(c, _NON_URBAN))
                groups.append(group)
        for kind, shape in zip((_URBAN, _NON_URBAN), plan.pure, strict=True):
            columns = shape.triples + shape.pairs
            if not columns:
                continue
            order = sorted(range(counties), key=lambda c: (-shape.take[c], c))
            sequence = [draw(c, kind) for c in order for _ in range(shape.take[c])]
            pure: list[list[int]] = [[] for _ in range(columns)]
            for position, member in enumerate(sequence):
                pure[position % columns].append(member)
            groups += pure
        unplaced = [
            member
            for c in range(counties)
            for kind in (_URBAN, _NON_URBAN)
            for member in pools[c][kind][cursor[c][kind] :]
        ]
        return groups, sorted(unplaced)

    # -- tiers 3 and 4: swap search -----------------------------------------------------------

    def _improve(
        self, groups: list[list[int]], unplaced: list[int]
    ) -> tuple[list[list[int]], list[int]]:
        """Deterministic first-improvement local search for tiers 3 and 4.

        Moves: swap two members of different groups, swap a member with a left-out candidate,
        (triples) move a member of a triple into a pair, and a chain in which a member leaves,
        a member of another group takes its place and a left-out candidate fills that gap.
        Every move keeps each group county-distinct and the number placed, and is taken only if
        it lowers (−mixed groups, history weight, zone repeats) lexicographically, so tiers 1–2
        never get worse and the search ends. Only groups with a repeated pair or a repeated
        zone meeting start a move: a move between clean groups cannot lower tiers 3 or 4.
        """
        weights, county, kind, zone = self.weights, self.county, self.kind, self.zone
        stride = len(self.people) + 1
        meet: dict[int, int] = {}

        def zone_key(za: int, zb: int) -> int:
            return za * stride + zb if za < zb else zb * stride + za

        def zone_keys(group: Sequence[int]) -> list[int]:
            keys = []
            for i, a in enumerate(group):
                za = zone[a]
                if za < 0:
                    continue
                for b in group[i + 1 :]:
                    zb = zone[b]
                    if zb >= 0:
                        keys.append(zone_key(za, zb))
            return keys

        def history_weight(group: Sequence[int]) -> int:
            total = 0
            for i, a in enumerate(group):
                wa = weights[a]
                if wa:
                    for b in group[i + 1 :]:
                        total += wa.get(b, 0)
            return total

        def is_mixed(group: Sequence[int]) -> int:
            non_urban = 0
            for m in group:
                non_urban += kind[m]
            return int(0 < non_urban < len(group))

        def joins(member: int, rest: Sequence[int]) -> bool:
            """Whether ``member`` may join the (county-distinct) members ``rest``."""
            return county[member] not in [county[m] for m in rest]

        for group in groups:
            for k in zone_keys(group):
                meet[k] = meet.get(k, 0) + 1

        def culprits(group: Sequence[int], with_zones: bool) -> list[int]:
            """Members of a pair that met before (or, ``with_zones``, of a zone meeting that
            repeats); only moving one of them can improve this group."""
            found: list[int] = []
            for i, a in enumerate(group):
                wa, za = weights[a], zone[a]
                for b in group[i + 1 :]:
                    zb = zone[b]
                    repeat = with_zones and za >= 0 and zb >= 0 and meet[zone_key(za, zb)] > 1
                    if b in wa or repeat:
                        found += [m for m in (a, b) if m not in found]
            return found

        def gain(
            changes: Sequence[tuple[Sequence[int], Sequence[int]]], same_kinds: bool
        ) -> tuple[int, int, int]:
            """(−Δmixed, Δhistory, Δzone repeats) of replacing each old group by its new one;
            a tier is computed only when the tiers above it tie."""
            if not same_kinds:
                d_mixed = 0
                for old, new in changes:
                    d_mixed += is_mixed(new) - is_mixed(old)
                if d_mixed:
                    return -d_mixed, 0, 0
            d_history = 0
            for old, new in changes:
                d_history += history_weight(new) - history_weight(old)
            if d_history:
                return 0, d_history, 0
            d_meet: dict[int, int] = {}
            for old, new in changes:
                for k in zone_keys(old):
                    d_meet[k] = d_meet.get(k, 0) - 1
                for k in zone_keys(new):
                    d_meet[k] = d_meet.get(k, 0) + 1
            d_zone = 0
            for k, d in d_meet.items():
                if d:
                    old_count = meet.get(k, 0)
                    new_count = old_count + d
                    d_zone += (new_count * (new_count - 1) - old_count * (old_count - 1)) // 2
            return 0, 0, d_zone

        def commit(changes: Sequence[tuple[list[int], list[int]]]) -> None:
            for old, new in changes:
                for k in zone_keys(old):
                    meet[k] -= 1
                for k in zone_keys(new):
                    meet[k] = meet.get(k, 0) + 1
                old[:] = new

        Move = tuple[list[tuple[list[int], list[int]]], int, bool]

        def moves(gi: int, x: int) -> Iterable[Move]:
            """Candidate moves for member x of group gi, in a fixed order: the changes, the
            left-out candidate that enters (or -1), and whether every group keeps its kinds."""
            gx = groups[gi]
            rest_x = [m for m in gx if m != x]
            kx = kind[x]
            for step in range(1, len(groups)):
                gy = groups[(gi + step) % len(groups)]
                for y in gy:
                    if joins(y, rest_x):
                        rest_y = [m for m in gy if m != y]
                        if joins(x, rest_y):
                            yield [(gx, [*rest_x, y]), (gy, [*rest_y, x])], -1, kind[y] == kx
                if len(gx) == 3 and len(gy) == 2 and joins(x, gy):
                    yield [(gx, rest_x), (gy, [*gy, x])], -1, False
            for y in unplaced:
                if joins(y, rest_x):
                    yield [(gx, [*rest_x, y])], y, kind[y] == kx
            if not unplaced:
                return
            # Chains through a left-out z: y takes x's place and z takes y's (x is left out),
            # or x takes y's place and z takes x's (y is left out).
            for step in range(1, len(groups)):
                gy = groups[(gi + step) % len(groups)]
                for y in gy:
                    rest_y = [m for m in gy if m != y]
                    y_for_x = joins(y, rest_x)
                    x_for_y = joins(x, rest_y)
                    for z in unplaced:
                        if y_for_x and joins(z, rest_y):
                            yield [(gx, [*rest_x, y]), (gy, [*rest_y, z])], z, False
                        if x_for_y and joins(z, rest_x):
                            yield [(gx, [*rest_x, z]), (gy, [*rest_y, x])], z, False

        budget = SWAP_EVALUATION_BUDGET
        # History first: within the budget, tier 3 gets every chance before tier 4 is tried.
        for with_zones in (False, True):
            changed = True
            while changed and budget > 0:
                changed = False
                for gi in range(len(groups)):
                    while budget > 0 and (movable := culprits(groups[gi], with_zones)):
                        taken = False
                        for x in movable:
                            window = min(budget, SWAP_WINDOW)
                            for changes, entering, same_kinds in moves(gi, x):
                                window -= 1
                                if gain(changes, same_kinds) < (0, 0, 0):
                                    leaving = _leaving(changes)
                                    commit(changes)
                                    if entering >= 0:
                                        unplaced[unplaced.index(entering)] = leaving
                                    taken = changed = True
                                if taken or window <= 0:
                                    break
                            budget -= min(budget, SWAP_WINDOW) - window
                            if taken or budget <= 0:
                                break
                        if not taken:
                            break
        return groups, sorted(unplaced)

    # -- output -------------------------------------------------------------------------------

    def _result(self, groups: list[list[int]], unplaced: list[int]) -> PairingResult:
        people = self.people
        any_urban = any(k == _URBAN for k in self.kind)
        any_non_urban = any(k == _NON_URBAN for k in self.kind)
        out_groups: list[Group] = []
        mixed = repeated = repeat_weight = 0
        meet: dict[tuple[int, int], int] = {}
        for group in groups:
            members = sorted(group, key=lambda i: (_LOCALE_ORDER[people[i].locale], i))
            is_mixed = len({self.kind[m] for m in members}) == 2
            mixed += is_mixed
            met: list[tuple[int, int]] = []
            for a_pos, a in enumerate(members):
                for b in members[a_pos + 1 :]:
                    w = self.weights[a].get(b, 0)
                    if w:
                        met.append((a, b))
                        repeated += 1
                        repeat_weight += w
                    za, zb = self.zone[a], self.zone[b]
                    if za >= 0 and zb >= 0:
                        pair = (min(za, zb), max(za, zb))
                        meet[pair] = meet.get(pair, 0) + 1
            out_groups.append(
                Group(
                    kindergarten_ids=tuple(people[m].kindergarten_id for m in members),
                    reason=self._group_reason(members, is_mixed, met, any_urban, any_non_urban),
                )
            )
        out_groups.sort(key=lambda g: min(g.kindergarten_ids))
        zone_repeats = sum(k * (k - 1) // 2 for k in meet.values())
        out_unpaired = tuple(
            Unpaired(kindergarten_id=people[i].kindergarten_id, reason=reason)
            for i, reason in self._unplaced_reasons(unplaced)
        )
        placed = sum(len(g) for g in groups)
        return PairingResult(
            groups=tuple(out_groups),
            unpaired=out_unpaired,
            stats=PairingStats(
                groups=len(groups),
                mixed_groups=mixed,
                placed=placed,
                unpaired=len(unplaced),
                repeated_pairs=repeated,
                repeat_weight=repeat_weight,
                zone_repeats=zone_repeats,
            ),
        )

    def _group_reason(
        self,
        members: list[int],
        is_mixed: bool,
        met: list[tuple[int, int]],
        any_urban: bool,
        any_non_urban: bool,
    ) -> str:
        people = self.people
        labels = [f"{_county_label(people[m])}{LOCALE[people[m].locale]}园" for m in members]
        joined = "、".join(labels[:-1]) + "与" + labels[-1]
        text = joined + ("结对" if len(members) == 2 else "同组")
        if not is_mixed:
            if self.kind[members[0]] == _NON_URBAN:
                text += "（可搭配的城区园已用完）" if any_urban else "（候选中没有城区园）"
            else:
                text += (
                    "（可搭配的乡村、镇区园已用完）"
                    if any_non_urban
                    else "（候选中没有乡村、镇区园）"
                )
        if not met:
            text += "；此前未同组" if len(members) == 2 else "；此前均未同组"
        else:
            a, b = met[0]
            more = "等" if len(met) > 1 else ""
            text += f"；{_name(people[a])}与{_name(people[b])}{more}此前曾同组，候选所限未能避开"
        if self.size == 3 and len(members) == 2:
            text += "；为让更多园参与，本组为两所园"
        return text

    def _unplaced_reasons(self, unplaced: list[int]) -> list[tuple[int, str]]:
        if not unplaced:
            return []
        people = self.people
        if len(self.county_ids) == 1:
            return [(i, REASON_ONE_COUNTY) for i in unplaced]
        if self.size == 3 and len(self.county_ids) == 2:
            return [(i, REASON_TWO_COUNTIES) for i in unplaced]
        left_counties = {self.county[i] for i in unplaced}
        if self.size == 3 and len(left_counties) == 2 and len(unplaced) > 2:
            return [(i, REASON_TWO_COUNTIES_LEFT) for i in unplaced]
        if len(left_counties) == 1:
            c = next(iter(left_counties))
            size_c = sum(1 for x in self.county if x == c)
            if len(unplaced) > 1 or 2 * size_c > len(people):
                county = _county_label(people[unplaced[0]])
                return [(i, REASON_COUNTY_SURPLUS.format(county=county)) for i in unplaced]
        return [(i, REASON_TOO_FEW) for i in unplaced]


def _leaving(changes: Sequence[tuple[Sequence[int], Sequence[int]]]) -> int:
    """The member that a move takes out of every group (-1 if none)."""
    before = {m for old, _ in changes for m in old}
    after = {m for _, new in changes for m in new}
    gone = before - after
    return min(gone) if gone else -1


def _county_label(candidate: Candidate) -> str:
    return candidate.county_name or f"{candidate.county_id}号县（市、区）"


def _name(candidate: Candidate) -> str:
    return candidate.name or f"{candidate.kindergarten_id}号园"
