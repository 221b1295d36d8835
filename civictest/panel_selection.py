"""Pure: who to invite. Quotas over profile cells, a fatigue rule, and a preference for the long-untested.

No I/O: candidates and quotas in, a selection out. The service (services/panel.py) reads the members and
quotas from the database, calls `select`, and writes the invitations.

Rules, in order:
1. Eligible: not excluded (already invited to this session), fewer than `max_tests_per_year` tests in the
   last 365 days, no test within the last `cooloff_days`, and (when `max_no_shows` > 0) fewer than
   `max_no_shows` no-shows at booked in-person sessions in the last 365 days (0 turns that part off).
2. Targets per cell: a count as given; a share of `count` rounded by the largest-remainder method (so
   shares of 1.0 make exactly `count`). With no quotas at all, one cell takes everybody.
3. Cells are filled scarcest first (fewest eligible members per place), each from its members in order of
   preference: never tested first, then the longest since their last test; ties broken by a seeded shuffle,
   so two runs with the same seed choose the same people. The total never exceeds `count`.
"""
from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

ANY_CELL = ""  # the one cell when a study has no quotas
QUOTA_DIMENSIONS = ("age_band", "municipality_code", "device", "online_frequency", "assistive_technology")


class Candidate(NamedTuple):
    """One eligible-or-not member (a named tuple: 100,000 of them are built per selection)."""

    member_id: int
    profile: dict  # dimension -> value (None when not answered)
    tests_last_year: int = 0
    last_tested_at: datetime | None = None
    no_shows_last_year: int = 0  # booked an in-person place and did not come (counted by the caller)


@dataclass(frozen=True)
class Quota:
    cell: dict  # dimension -> value, e.g. {"age_band": "40s", "device": "pc"}
    target_count: int | None = None
    target_share: float | None = None


@dataclass
class Selection:
    chosen: list[tuple[int, str]] = field(default_factory=list)  # (member_id, cell key), in choosing order
    targets: dict[str, int] = field(default_factory=dict)  # cell key -> places
    filled: dict[str, int] = field(default_factory=dict)  # cell key -> members chosen
    eligible: dict[str, int] = field(default_factory=dict)  # cell key -> eligible members

    def shortfall(self) -> dict[str, int]:
        return {key: self.targets[key] - self.filled.get(key, 0) for key in self.targets
                if self.filled.get(key, 0) < self.targets[key]}


def cell_key(cell: dict) -> str:
    """A cell's stable name: "age_band=40s|device=pc" (dimensions sorted); "" for the one cell of no quotas."""
    return "|".join(f"{dim}={cell[dim]}" for dim in sorted(cell))


def parse_cell_key(key: str) -> dict:
    return dict(part.split("=", 1) for part in key.split("|")) if key else {}


def targets(quotas: Sequence[Quota], count: int) -> dict[str, int]:
    """Places per cell: counts as given, shares of `count` by the largest-remainder method."""
    if not quotas:
        return {ANY_CELL: count}
    places = {cell_key(q.cell): q.target_count for q in quotas if q.target_count is not None}
    shared = [q for q in quotas if q.target_count is None]
    if shared:
        total_share = sum(q.target_share or 0.0 for q in shared) or 1.0
        budget = max(count - sum(places.values()), 0)
        exact = [(cell_key(q.cell), budget * (q.target_share or 0.0) / total_share) for q in shared]
        floors = {key: math.floor(value) for key, value in exact}
        left = budget - sum(floors.values())
        by_remainder = sorted(exact, key=lambda kv: (-(kv[1] - math.floor(kv[1])), kv[0]))
        for key, _ in by_remainder[:left]:
            floors[key] += 1
        places.update(floors)
    return places


def is_eligible(candidate: Candidate, now: datetime, max_tests_per_year: int, cooloff_days: int,
                max_no_shows: int = 0) -> bool:
    if candidate.tests_last_year >= max_tests_per_year:
        return False
    if max_no_shows > 0 and candidate.no_shows_last_year >= max_no_shows:
        return False
    return candidate.last_tested_at is None or now - candidate.last_tested_at >= timedelta(days=cooloff_days)


def select(candidates: Iterable[Candidate], quotas: Sequence[Quota], count: int, *, now: datetime,
           max_tests_per_year: int, cooloff_days: int, max_no_shows: int = 0, exclude: Iterable[int] = (),
           seed: int = 0) -> Selection:
    """Choose up to `count` members filling the quotas (see the module docstring for the rules)."""
    excluded = set(exclude)
    wanted = targets(quotas, count)
    cells = {cell_key(q.cell): q.cell for q in quotas} or {ANY_CELL: {}}
    dims = sorted({dim for cell in cells.values() for dim in cell})
    by_values = {tuple(str(cell[d]) if d in cell else None for d in dims): key for key, cell in cells.items()}

    # Each pool holds (preference, candidate): never tested first (-inf), then the longest since the last
    # test; a seeded random number breaks ties. Only the best `places` of a pool are ever sorted.
    pools: dict[str, list[tuple[float, float, int, Candidate]]] = {key: [] for key in cells}
    shuffle = random.Random(seed)
    cutoff = now - timedelta(days=cooloff_days)
    no_show_limit = max_no_shows if max_no_shows > 0 else math.inf
    for candidate in candidates:
        if candidate.member_id in excluded or candidate.tests_last_year >= max_tests_per_year:
            continue
        if candidate.no_shows_last_year >= no_show_limit:
            continue
        last = candidate.last_tested_at
        if last is not None and last > cutoff:
            continue
        get = candidate.profile.get
        key = by_values.get(tuple([get(d) or "" for d in dims]))
        if key is None:
            key = _partial_match(candidate.profile, cells)
        if key is not None:
            preference = -math.inf if last is None else last.timestamp()
            pools[key].append((preference, shuffle.random(), candidate.member_id, candidate))
    result = Selection(targets=wanted, eligible={key: len(pool) for key, pool in pools.items()})
    order = sorted(wanted, key=lambda key: (len(pools.get(key, ())) / wanted[key] if wanted[key] else math.inf, key))
    for key in order:
        room = min(wanted[key], count - len(result.chosen))
        best = heapq.nsmallest(room, pools.get(key, ())) if room > 0 else []
        result.chosen.extend((entry[3].member_id, key) for entry in best)
        result.filled[key] = len(best)
    return result


def _partial_match(profile: dict, cells: dict[str, dict]) -> str | None:
    """The first cell (by name) whose every value the profile has: for quotas over different dimensions."""
    for key in sorted(cells):
        cell = cells[key]
        if all(profile.get(dim) is not None and str(profile.get(dim)) == str(value) for dim, value in cell.items()):
            return key
    return None
