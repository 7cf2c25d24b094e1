"""Deadline watch: when each open assignment and case next needs the scheduler's
attention. Pure: the adapters store the answer in the sparse `sweep` index
(`<kind>#<shard>`, `<due at UTC>#<id>`), so a sweep reads only what is due."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from .assignment import AssignmentStatus
from .calendar import ISTANBUL, TurkishCalendar

SHARDS = 8
REMINDER_WINDOW_WORKING_DAYS = 2
# how soon after its receipt a case's legal due date can fall: 15 working days (Law 4982)
# span at least 21 calendar days (19 kept as a margin). The related-cases view reads the
# open-case index (ordered by due date) from there, not every open case.
NEW_CASE_DUE_MIN = timedelta(days=19)


def due_windows(first: date, last: date, calendar) -> list[tuple[date, date]]:
    """The legal due dates a case received between `first` and `last` (receipt dates) can
    have: one window per law (3071: 30 days, moved off a non-working day; 4982: 15 working
    days). The daily digest finds yesterday's new cases in the open-case index, ordered by
    due date, through these windows (a thanks has no due date and is read apart)."""
    return [(calendar.legal_due_3071(first), calendar.legal_due_3071(last)),
            (calendar.legal_due_4982(first), calendar.legal_due_4982(last))]
LEGAL_WARNING_DAYS = 5
EXTENSION_DECISION_WORKING_DAY = 12
ASSIGNMENT_KIND = "A"
CASE_KIND = "C"
ROUTE_KIND = "R"
RETENTION_KIND = "K"      # a closed case whose personal data is destroyed at its retention end (KVKK)
ARCHIVED_KIND = "X"       # the same, for a case whose file is in the archive (its index item holds the slot)
SUBJECT_REQUEST_KIND = "S"  # a data-subject request's 30-day answer
REROUTE_AFTER = timedelta(minutes=10)    # a received case not routed by then is sent again
REROUTE_BACKOFF = timedelta(minutes=30)


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % SHARDS


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ISTANBUL)


def sweep_key(moment: datetime, item_id: str) -> str:
    return f"{moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}#{item_id}"


def working_days_before(calendar: TurkishCalendar, day: date, n: int) -> date:
    counted = 0
    while counted < n:
        day -= timedelta(days=1)
        if calendar.is_working_day(day, for_institution=True):
            counted += 1
    return day


def assignment_step(a) -> str:
    """A reminder is owed once per step: per forward and per answer round (a returned
    answer starts a new step)."""
    return f"f{a.forward_id}-a{len(a.answers)}"


def assignment_next(a, calendar: TurkishCalendar, window: int = REMINDER_WINDOW_WORKING_DAYS):
    """("remind" | "overdue", when) or None when nothing is pending."""
    if a.status not in (AssignmentStatus.SENT, AssignmentStatus.RETURNED):
        return None
    overdue_at = start_of_day(a.sla_due_date + timedelta(days=1))
    if a.reminded_for != assignment_step(a):
        remind_at = start_of_day(working_days_before(calendar, a.sla_due_date, window))
        return ("remind", min(remind_at, overdue_at))
    return ("overdue", overdue_at)


def legal_warning_at(case) -> datetime:
    return start_of_day(case.legal_due_date - timedelta(days=LEGAL_WARNING_DAYS))


def extension_warning_at(case, calendar: TurkishCalendar) -> datetime:
    return start_of_day(calendar.add_working_days(case.period_start, EXTENSION_DECISION_WORKING_DAY))


def route_due(case) -> datetime | None:
    """When the re-route sweep should send a case's `application.received` again: 10
    minutes after it was recorded, while it is still `received` (routing always moves it
    on: forwarded, or in review); None once it has been routed."""
    if case.status != "received":
        return None
    return (case.recorded_at or case.received_at) + REROUTE_AFTER


def case_actions(case, calendar: TurkishCalendar) -> list[tuple[str, datetime]]:
    if case.closed or case.legal_due_date is None:   # a thanks owes no answer: nothing to warn of
        return []
    out = []
    if case.legal_warned_for != case.legal_due_date.isoformat():
        out.append(("legal_warning", legal_warning_at(case)))
    if case.law == "4982" and not case.extended and not case.extension_warned:
        out.append(("extension_window", extension_warning_at(case, calendar)))
    return out


def case_slot(case, calendar: TurkishCalendar) -> tuple[str, datetime] | None:
    """The sweep slot an open case holds: (ROUTE_KIND, when) while it is not routed, then
    (CASE_KIND, when) for its next warning; None when nothing is pending."""
    route_at = route_due(case)
    if route_at is not None:
        return ROUTE_KIND, route_at
    next_at = case_next(case, calendar)
    return (CASE_KIND, next_at) if next_at is not None else None


def case_next(case, calendar: TurkishCalendar) -> datetime | None:
    actions = case_actions(case, calendar)
    return min(at for _, at in actions) if actions else None


@dataclass(frozen=True)
class PendingRoute:
    """A case that has not been routed yet (still `received` past its re-route time)."""
    application_no: str
    district: str
