"""Per-district counters: what the dashboard (and the open statistics) read, kept in
the same transaction as each change that moves them, so they are never wrong.

Pure: `moves(previous_status, case)` says which counters a change moves; each store
applies them in its own way (one small item per district in DynamoDB). Weeks are the
ISO Monday of the İstanbul date; only the last WEEKS_KEPT weeks are kept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .calendar import local_date

WEEKS_KEPT = 16        # the dashboard shows 12


def monday(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


@dataclass
class DistrictStats:
    status: dict[str, int] = field(default_factory=dict)       # open and closed cases by status, now
    intake: dict[str, int] = field(default_factory=dict)       # week -> applications received
    concluded: dict[str, int] = field(default_factory=dict)    # week -> conclusions of cases owing an answer
    on_time: dict[str, int] = field(default_factory=dict)      # week -> of those, within the legal due date


def moves(previous_status, case) -> list[tuple[str, str, int]]:
    """(counter, key, delta) for a case saved with `case.status`, stored before with
    `previous_status` (None for a new case)."""
    out: list[tuple[str, str, int]] = []
    status = case.status.value
    previous = previous_status.value if previous_status is not None else None
    if previous == status:
        return out
    if previous is None:
        out.append(("intake", monday(case.receipt_date), 1))
    else:
        out.append(("status", previous, -1))
    out.append(("status", status, 1))
    if status == "concluded" and case.concluded_at is not None and case.legal_due_date is not None:
        week = monday(local_date(case.concluded_at))
        out.append(("concluded", week, 1))
        if local_date(case.concluded_at) <= case.legal_due_date:
            out.append(("on_time", week, 1))
    return out


def stale_weeks(moved: list[tuple[str, str, int]]) -> list[str]:
    """Weeks to drop when these weeks are written: WEEKS_KEPT to WEEKS_KEPT + 8 weeks back
    (a district quiet for longer than that keeps a few old keys, which the next rebuild drops)."""
    weeks = {key for counter, key, _ in moved if counter != "status"}
    out = set()
    for w in weeks:
        d = date.fromisoformat(w)
        out |= {(d - timedelta(weeks=n)).isoformat() for n in range(WEEKS_KEPT, WEEKS_KEPT + 8)}
    return sorted(out)
