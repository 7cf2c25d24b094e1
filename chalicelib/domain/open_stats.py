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
  - *secondary*: where the hidden cells of a group add up to fewer than 5 and the group's
    total is shown (the districts of a province, the types of a district, the provinces),
    the next smallest cells are hidden too, so that subtraction cannot tell a small number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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


def _row(t: Tally, **where) -> dict:
    small = lambda n: 0 < n < MIN_COUNT  # noqa: E731
    row = dict(where)
    hidden = [name for name in COUNTS if small(getattr(t, name))]
    for name in COUNTS:
        row[name] = None if name in hidden else getattr(t, name)
    concluded_days = sum(t.days.values())
    row["median_days"] = median_days(t.days) if concluded_days >= MIN_COUNT else None
    row["on_time_share"] = round(100 * t.on_time / t.owed, 1) if t.owed >= MIN_COUNT else None
    row["survey_average"] = round(t.survey_sum / t.survey_n, 2) if t.survey_n >= MIN_COUNT else None
    row["hidden"] = hidden
    return row


def _secondary(rows: list[dict], total: dict) -> None:
    """In a group whose total is shown: while the hidden counts of a kind add up to 1-4
    (so that the total minus the shown ones would tell a small number), hide the next
    smallest shown count too."""
    for name in COUNTS:
        if total.get(name) is None:
            continue
        while True:
            hidden = [r for r in rows if name in r["hidden"]]
            if not hidden or not 0 < total[name] - sum(r[name] for r in rows if name not in r["hidden"]) < MIN_COUNT:
                break
            shown = [r for r in rows if name not in r["hidden"] and r[name]]
            if not shown:
                break
            victim = min(shown, key=lambda r: r[name])
            victim[name] = None
            victim["hidden"].append(name)
            if name == "concluded":
                victim["median_days"] = None
                victim["on_time_share"] = None


def publish(month: str, cells: list[tuple[str, str, dict]], catalog, *, provisional: bool) -> dict:
    """`cells`: (district, type, counts) of one month. Returns the document the roll-up
    stores: {"month", "provisional", "national": rows, "provinces": {code: rows}}, where a
    province's rows are its own and its districts', per type and for all types."""
    types = list(catalog.types)
    by_district: dict[str, dict[str, Tally]] = {}
    for district, case_type, counts in cells:
        if district not in catalog.districts:
            continue
        by_district.setdefault(district, {}).setdefault(case_type, Tally()).add(counts)

    def totals(tallies: list[dict[str, Tally]]) -> dict[str, Tally]:
        out = {t: Tally() for t in types + [ALL]}
        for per_type in tallies:
            for case_type, tally in per_type.items():
                if case_type == ALL:
                    continue
                out.setdefault(case_type, Tally()).merge(tally)
                out[ALL].merge(tally)
        return out

    def rows_for(per_type: dict[str, Tally], **where) -> list[dict]:
        rows = [_row(per_type.get(t, Tally()), type=t, **where) for t in types]
        total = _row(per_type[ALL], type=ALL, **where)
        _secondary(rows, total)
        return [total] + rows

    provinces: dict[str, list[dict]] = {}
    national_rows: list[dict] = []
    province_tallies = []
    for p in catalog.provinces:
        districts = {d["code"]: by_district[d["code"]] for d in p["districts"] if d["code"] in by_district}
        per_type = totals(list(districts.values()))
        province_tallies.append(per_type)
        where = {"level": "province", "province": p["code"], "province_name": p["name"]}
        own = rows_for(per_type, **where)
        district_rows = []
        for d in p["districts"]:                   # every district, a quiet one with zeros
            district_rows.append(rows_for(totals([districts.get(d["code"], {})]), level="district", province=p["code"],
                                          province_name=p["name"], district=d["code"], district_name=d["name"]))
        for i, t in enumerate([ALL] + types):       # the districts of a province, type by type
            _secondary([rows[i] for rows in district_rows], own[i])
        provinces[p["code"]] = own + [r for rows in district_rows for r in rows]
        national_rows.append(own[0])
    national = rows_for(totals(province_tallies), level="national")
    _secondary([r for r in national_rows], national[0])
    return {"month": month, "provisional": provisional, "national": national + national_rows,
            "provinces": provinces}


CSV_COLUMNS = ("month", "level", "province", "province_name", "district", "district_name", "type", "received",
               "concluded", "not_processed", "median_days", "on_time_share", "survey_average")


def clean(row: dict) -> dict:
    """A published row without the working field `hidden` (a hidden value is null)."""
    return {k: v for k, v in row.items() if k != "hidden"}
