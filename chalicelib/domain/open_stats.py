"""Open statistics (GET /v1/stats): what is published, per month, province, district and
application type, and how small numbers are kept from identifying people. Pure.

Two halves:

* **Month cells**, kept in the same transaction as each change that moves them (like the
  dashboard's counters, domain/stats.py): one small cell per (month, district, type) with
  `received` (by the month of receipt), `concluded` and `not_processed` (by the month of the
  first closure), `owed` and `on_time` (of the concluded cases that owed an answer by a legal
  due date, how many were concluded by it), a histogram `d<days>` of the calendar days from
  receipt to conclusion (so that the median is exact and can be summed over districts;
  `d120` holds 120 days or more), and
  `survey_n` / `survey_sum` (by the month of the survey answer).
* **Publishing** (the daily roll-up): the cells of one month become rows for the country,
  each province and each district, per type and for all types, with disclosure control:
  - *primary*: a count of 1 to 4 is not shown, nor anything computed from fewer than 5
    cases (the median, the share on time, the survey average);
  - *complementary*: the published tables are linked sums (a district's types, a
    province's districts, the country's provinces), and a hidden cell could be worked out
    by subtracting across them; other cells are hidden until no small one can be told
    exactly from everything published (`suppress`: a small cell is told if and only if it
    lies on no cycle of the hidden cells, since the sums form a network);
  - only final months are published (a month's figures republished every night would
    tell each day's applications by difference), and a survey average has one decimal.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .calendar import local_date
from .case import CLOSED, Status

MIN_COUNT = 5
DAYS_CAP = 120          # d120 counts conclusions after 120 days or more
COUNTS = ("received", "concluded", "not_processed")
FIELDS = ("received", "concluded", "not_processed", "owed", "on_time", "survey_n", "survey_sum",
          *(f"d{n}" for n in range(DAYS_CAP + 1)))
ALL = "all"


def month_of(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _closures(case) -> int:
    n, previous = 0, None
    for h in case.history:
        if h.status in CLOSED and previous not in CLOSED:
            n += 1
        previous = h.status
    return n


def month_moves(previous_status, case) -> list[tuple[tuple[str, str, str], str, int]]:
    """((month, district, type), field, delta) for a case saved with `case.status`, stored
    before with `previous_status` (None for a new case). A case reopened after an objection
    and closed again is counted once, at its first closure."""
    out = []
    if previous_status is None:
        out.append(((month_of(case.receipt_date), case.district, case.type), "received", 1))
    status = case.status
    if status in CLOSED and previous_status not in CLOSED and previous_status is not None and _closures(case) <= 1:
        closed_on = local_date(case.closed_at)
        cell = (month_of(closed_on), case.district, case.type)
        if status is Status.NOT_PROCESSED:
            out.append((cell, "not_processed", 1))
        else:
            out.append((cell, "concluded", 1))
            out.append((cell, f"d{min(DAYS_CAP, max(0, (closed_on - case.receipt_date).days))}", 1))
            if case.legal_due_date is not None:
                out.append((cell, "owed", 1))
                if closed_on <= case.legal_due_date:
                    out.append((cell, "on_time", 1))
    return out


def survey_moves(district: str, case_type: str, answered_on, rating: int) -> list[tuple[tuple[str, str, str], str, int]]:
    cell = (month_of(answered_on), district, case_type)
    return [(cell, "survey_n", 1), (cell, "survey_sum", int(rating))]


# --- publishing ---------------------------------------------------------------------

@dataclass
class Tally:
    """Sums of cells (any level), before disclosure control."""
    received: int = 0
    concluded: int = 0
    not_processed: int = 0
    owed: int = 0
    on_time: int = 0
    survey_n: int = 0
    survey_sum: int = 0
    days: dict[int, int] = field(default_factory=dict)

    def add(self, counts: dict) -> None:
        for key, value in counts.items():
            value = int(value or 0)
            if key.startswith("d") and key[1:].isdigit():
                self.days[int(key[1:])] = self.days.get(int(key[1:]), 0) + value
            elif hasattr(self, key) and key != "days":
                setattr(self, key, getattr(self, key) + value)

    def merge(self, other: "Tally") -> None:
        for name in ("received", "concluded", "not_processed", "owed", "on_time", "survey_n", "survey_sum"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for d, n in other.days.items():
            self.days[d] = self.days.get(d, 0) + n


def median_days(days: dict[int, int]) -> float | None:
    n = sum(days.values())
    if not n:
        return None
    ordered = sorted(days.items())

    def at(index: int) -> int:
        seen = 0
        for d, c in ordered:
            seen += c
            if index < seen:
                return d
        return ordered[-1][0]
    return (at((n - 1) // 2) + at(n // 2)) / 2


def _row(t: Tally, hidden: set[str], **where) -> dict:
    """One published row: a hidden count is None, and so is anything computed from fewer
    than MIN_COUNT cases or from a hidden count."""
    row = dict(where)
    for name in COUNTS:
        row[name] = None if name in hidden else getattr(t, name)
    concluded_days = sum(t.days.values())
    shown = "concluded" not in hidden
    row["median_days"] = median_days(t.days) if shown and concluded_days >= MIN_COUNT else None
    row["on_time_share"] = round(100 * t.on_time / t.owed, 1) if shown and t.owed >= MIN_COUNT else None
    # one decimal, from at least MIN_COUNT answers: a finer average lets one answer be told
    row["survey_average"] = round(t.survey_sum / t.survey_n, 1) if t.survey_n >= MIN_COUNT else None
    row["hidden"] = sorted(hidden)
    return row


def _bridges(nodes: set, edges: dict) -> set:
    """The edges (cell -> (u, v)) that lie on no cycle of the graph they form (Tarjan's
    bridge search, iterative; parallel edges are cycles)."""
    adjacency: dict = {n: [] for n in nodes}
    for cell, (u, v) in edges.items():
        adjacency[u].append((v, cell))
        adjacency[v].append((u, cell))
    order: dict = {}
    low: dict = {}
    found: set = set()
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, it = stack[-1]
            advanced = False
            for nxt, cell in it:
                if cell == via:
                    continue
                if nxt not in order:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, cell, iter(adjacency[nxt])))
                    advanced = True
                    break
                low[node] = min(low[node], order[nxt])
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.add(via)
    return found


def suppress(values: dict, edges: dict, sums: Sequence[tuple[Any, Sequence]] | None = None) -> set:
    """The cells to hide so that no count of 1 to MIN_COUNT-1 can be told exactly from the
    published ones, across every linked table and total.

    Every published cell is a sum of district-by-type counts, and the published tables are
    one system of such sums. Written as equations (a district's types add up to its total; a
    province's districts, type by type, to the province's cell; the provinces to the
    country's), each cell appears in two of them with opposite signs: the system is a
    network, each cell an edge (`edges`: cell -> (equation, equation)). A hidden cell is
    told exactly by the shown ones if and only if it lies on no cycle of the hidden cells
    (any cycle lets values shift along it and keep every sum). So: hide the small counts,
    and while one of them is a bridge of the hidden cells, hide the cheapest path of shown
    cells that closes a cycle through it (shown cells of MIN_COUNT or more first, the
    smallest first), until none is.

    `sums` (total, parts) adds a protection level: where the hidden parts of a shown total
    add up to 1 to MIN_COUNT-1, their sum would be small and known, so the smallest shown
    part is hidden too."""
    hidden = {cell for cell, v in values.items() if 0 < v < MIN_COUNT}
    sensitive = set(hidden)
    nodes = {n for u, v in edges.values() for n in (u, v)}
    adjacency: dict = {n: [] for n in nodes}
    for cell, (u, v) in edges.items():
        adjacency[u].append((v, cell))
        adjacency[v].append((u, cell))

    def cost(cell) -> float:
        if cell in hidden:
            return 0
        n = values.get(cell, 0)
        return n if n >= MIN_COUNT else (10_000 + n if n > 0 else 1_000_000)

    def protect() -> bool:
        added = False
        for total, parts in sums or []:
            if total in hidden or not any(c in hidden for c in parts):
                continue
            if not 0 < values.get(total, 0) - sum(values.get(c, 0) for c in parts if c not in hidden) < MIN_COUNT:
                continue
            shown = [c for c in parts if c not in hidden and values.get(c, 0) > 0]
            if shown:
                hidden.add(min(shown, key=lambda c: (cost(c), str(c))))
                added = True
        return added

    while True:
        while protect():
            pass
        exposed = sorted(_bridges(nodes, {c: edges[c] for c in hidden}) & sensitive, key=str)
        if not exposed:
            return hidden
        for cell in exposed:
            if cell not in _bridges(nodes, {c: edges[c] for c in hidden}):
                continue                                 # closed by a path added for another
            start, goal = edges[cell]
            best = {start: 0.0}
            back: dict = {}
            queue = [(0.0, str(start), start)]
            while queue:
                d, _, node = heapq.heappop(queue)
                if node == goal:
                    break
                if d > best.get(node, float("inf")):
                    continue
                for nxt, via in adjacency[node]:
                    if via == cell:
                        continue
                    nd = d + cost(via)
                    if nd < best.get(nxt, float("inf")):
                        best[nxt], back[nxt] = nd, (node, via)
                        heapq.heappush(queue, (nd, str(nxt), nxt))
            node = goal
            while node != start and node in back:
                node, via = back[node]
                hidden.add(via)


def publish(month: str, cells: list[tuple[str, str, dict]], catalog, *, provisional: bool) -> dict:
    """`cells`: (district, type, counts) of one month. Returns the document the roll-up
    stores: {"month", "provisional", "national": rows, "provinces": {code: rows}}, where a
    province's rows are its own and its districts', per type and for all types. Every
    count goes through one suppression over all these tables at once (`suppress`)."""
    types = list(catalog.types)
    tallies: dict[tuple[str, str], Tally] = {}
    for district, case_type, counts in cells:
        if district not in catalog.districts or case_type not in catalog.types:
            continue
        tallies.setdefault((district, case_type), Tally()).add(counts)

    def tally(scope: str, case_type: str) -> Tally:
        return tallies.setdefault((scope, case_type), Tally())

    national = "TR"
    scopes: list[tuple[str, list[str]]] = []       # (province, its districts)
    for p in catalog.provinces:
        scopes.append((p["code"], [d["code"] for d in p["districts"]]))
    for province, districts in scopes:             # sums upwards: district -> province -> country
        for t in types:
            total = tally(province, t)
            for d in districts:
                total.merge(tally(d, t))
    for t in types:
        for province, _ in scopes:
            tally(national, t).merge(tally(province, t))
    every = [national] + [p for p, _ in scopes] + [d for _, ds in scopes for d in ds]
    for scope in every:
        for t in types:
            tally(scope, ALL).merge(tally(scope, t))

    # the network of sums (see `suppress`): a district's row, each province's column of a
    # type (and of all types), and the country's column of a type; the country's totals
    # close on "the rest" (the equations a sum of every cell would repeat are left out)
    province_of = {d: p for p, ds in scopes for d in ds}
    edges: dict = {}
    for d, p in province_of.items():
        for t in types:
            edges[(d, t)] = (("row", d), ("col", p, t))
        edges[(d, ALL)] = (("row", d), ("col", p, ALL))
    for p, _ in scopes:
        for t in [*types, ALL]:
            edges[(p, t)] = (("col", p, t), ("nat", t))
    for t in [*types, ALL]:
        edges[(national, t)] = (("nat", t), ("rest",))
    sums = [((d, ALL), [(d, t) for t in types]) for d in province_of]
    sums += [((p, t), [(d, t) for d in ds]) for p, ds in scopes for t in [*types, ALL]]
    sums += [((national, t), [(p, t) for p, _ in scopes]) for t in [*types, ALL]]
    hidden: dict[tuple[str, str], set[str]] = {}
    for name in COUNTS:
        for cell in suppress({key: getattr(tally(*key), name) for key in edges}, edges, sums):
            hidden.setdefault(cell, set()).add(name)

    def rows_for(scope: str, **where) -> list[dict]:
        return [_row(tally(scope, t), hidden.get((scope, t), set()), type=t, **where) for t in [ALL, *types]]

    provinces: dict[str, list[dict]] = {}
    national_rows: list[dict] = []
    for p in catalog.provinces:
        own = rows_for(p["code"], level="province", province=p["code"], province_name=p["name"])
        district_rows = [r for d in p["districts"] for r in rows_for(
            d["code"], level="district", province=p["code"], province_name=p["name"], district=d["code"],
            district_name=d["name"])]
        provinces[p["code"]] = own + district_rows
        national_rows.append(own[0])
    return {"month": month, "provisional": provisional, "national": rows_for(national, level="national")
            + national_rows, "provinces": provinces}


CSV_COLUMNS = ("month", "level", "province", "province_name", "district", "district_name", "type", "received",
               "concluded", "not_processed", "median_days", "on_time_share", "survey_average")


def clean(row: dict) -> dict:
    """A published row without the working field `hidden` (a hidden value is null)."""
    return {k: v for k, v in row.items() if k != "hidden"}
