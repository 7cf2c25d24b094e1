"""The Turkish calendar and the legal deadlines (docs/domain-rules.md §3).

Pure code: the `holidays` package supplies the public holidays (Law 2429): for the years
2015-2050 through the table it wrote (data/holidays_tr.json, tools/build_holidays.py), for
any other year directly. An editable per-year list supplies administrative leave days
(idari izin).
"""
from __future__ import annotations

import importlib.util
import json
import sys
import threading
import types
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

ISTANBUL = ZoneInfo("Europe/Istanbul")
_DATA = Path(__file__).resolve().parent.parent / "data"

LAW_3071_DAYS = 30
LAW_4982_WORKING_DAYS = 15
LAW_4982_EXTENDED_WORKING_DAYS = 30
DEFAULT_INSTITUTION_SLA_WORKING_DAYS = 7


def local_date(moment: datetime) -> date:
    """Rule 1: the Europe/Istanbul calendar date of an aware timestamp."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a timezone is required")
    return moment.astimezone(ISTANBUL).date()


def tr_date(d: date) -> str:
    """A date as Turkish readers write it: 04.02.2026."""
    return d.strftime("%d.%m.%Y")


def iso_local(moment: datetime | None) -> str | None:
    """An aware timestamp as ISO 8601 with its İstanbul offset, to the second."""
    return moment.astimezone(ISTANBUL).isoformat(timespec="seconds") if moment else None


def load_admin_leave(path: Path | None = None) -> frozenset[date]:
    raw = json.loads((path or _DATA / "admin_leave.json").read_text("utf-8"))
    return frozenset(date.fromisoformat(d) for days in raw["years"].values() for d in days)


_TURKEY_LOCK = threading.Lock()
_TURKEY = None


def _turkey():
    """The `holidays` package's Turkey class, without its other 250 countries.

    `import holidays` runs the package's __init__, which imports every country module
    (about 250: most of a cold start's import time for a deadline). The Turkish module
    only needs the package's shared submodules, so the two package __init__ files are
    stood in for by bare packages while it loads, then taken out again (a later plain
    `import holidays` works as usual). One thread loads it, under a lock: another thread
    must never see the stand-ins. If the package's layout ever changes, the plain import
    is used."""
    global _TURKEY
    if _TURKEY is not None:
        return _TURKEY
    with _TURKEY_LOCK:
        if _TURKEY is None:
            _TURKEY = _load_turkey()
    return _TURKEY


def _load_turkey():
    loaded = getattr(sys.modules.get("holidays"), "Turkey", None)
    if loaded is not None:
        return loaded
    try:
        spec = importlib.util.find_spec("holidays")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("holidays")
        location = list(spec.submodule_search_locations)[0]
        stubs = {"holidays": [location], "holidays.countries": [f"{location}/countries"]}
        for name, path in stubs.items():
            module = types.ModuleType(name)
            module.__path__ = path
            sys.modules[name] = module
        try:
            from holidays.countries.turkey import Turkey
        finally:
            for name in stubs:
                sys.modules.pop(name, None)
        return Turkey
    except Exception:  # noqa: BLE001 - the package changed: import it the ordinary way
        import holidays
        return holidays.Turkey


@lru_cache(maxsize=1)
def _holiday_table() -> dict[str, list[str]]:
    """The years most deadlines fall in, as the `holidays` package computes them
    (data/holidays_tr.json, written by tools/build_holidays.py; a unit test fails when the
    installed package answers otherwise). Reading it costs well under a millisecond;
    loading the package's Turkish module and computing a year, 20-30 ms of a cold start."""
    return json.loads((_DATA / "holidays_tr.json").read_text("utf-8"))["years"]


@lru_cache(maxsize=8)
def _public_holidays(year: int) -> frozenset[date]:
    # `public` holds full holidays only; arife and 28 October afternoons are in
    # `half_day` and count as working days (rule 5), so they are left out here.
    known = _holiday_table().get(str(year))
    if known is not None:
        return frozenset(date.fromisoformat(d) for d in known)
    return frozenset(_turkey()(years=year, categories=("public",)).keys())


class TurkishCalendar:
    def __init__(self, admin_leave: frozenset[date] | None = None):
        self.admin_leave = frozenset(admin_leave or ())

    def is_public_holiday(self, day: date) -> bool:
        return day in _public_holidays(day.year)

    def is_working_day(self, day: date, *, for_institution: bool = False) -> bool:
        """Rule 5; rule 6 for institutions: administrative leave is non-working for the
        SLA only, never for the legal deadlines."""
        if day.weekday() >= 5 or self.is_public_holiday(day):
            return False
        if for_institution and day in self.admin_leave:
            return False
        return True

    def next_working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int, *, for_institution: bool = False) -> date:
        """The n-th working day after `start` (the period starts the day after)."""
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day, for_institution=for_institution):
                counted += 1
        return day

    # Rule 3
    def legal_due_3071(self, receipt: date) -> date:
        return self.next_working_day_on_or_after(receipt + timedelta(days=LAW_3071_DAYS))

    # Rule 4
    def legal_due_4982(self, receipt: date, *, extended: bool = False) -> date:
        n = LAW_4982_EXTENDED_WORKING_DAYS if extended else LAW_4982_WORKING_DAYS
        return self.add_working_days(receipt, n)

    def legal_due(self, law: str, receipt: date, *, extended: bool = False) -> date:
        if law == "4982":
            return self.legal_due_4982(receipt, extended=extended)
        return self.legal_due_3071(receipt)

    # Rule 7
    def institution_sla_due(self, dispatched: date, legal_due: date | None,
                            working_days: int = DEFAULT_INSTITUTION_SLA_WORKING_DAYS) -> date:
        """N working days from dispatch, never later than the legal due date while that
        date is still ahead; a date already past (or none) caps nothing, so an
        assignment is never overdue the moment it is sent."""
        due = self.add_working_days(dispatched, working_days, for_institution=True)
        if legal_due is not None and legal_due >= dispatched:
            return min(due, legal_due)
        return due


@lru_cache(maxsize=1)
def default_calendar() -> TurkishCalendar:
    return TurkishCalendar(load_admin_leave())
