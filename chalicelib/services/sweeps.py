"""Scheduled sweeps: institution reminders and overdue escalation (every 15 minutes),
the legal-deadline and extension-window warnings and the district digest (daily, in
the morning, Europe/Istanbul).

Each sweep takes `now` as a parameter, reads only what the sweep index says is due,
and is idempotent: notifications carry deterministic dedup keys (so two sweeps, even
at once, send each one once), and the state change that takes an item out of the
index is version-checked.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..domain import events as ev
from ..domain import sweeps
from ..domain.assignment import AssignmentStatus
from ..domain.calendar import default_calendar, local_date
from ..domain.case import CLOSED
from . import kvkk, routing_messages
from .notification_map import office_lookup, tell
from .ports import Ports


def assignment_sweep(ports: Ports, now: datetime, *, window: int = sweeps.REMINDER_WINDOW_WORKING_DAYS) -> dict:
    repo = ports.cases
    calendar = default_calendar()
    offices = office_lookup(ports.reference)
    counts = {"reminded": 0, "escalated": 0, "skipped": 0, "closed": 0}
    due = list(repo.due_assignments(now))
    # Closed means closed: an assignment still open on a closed case (one left from
    # before cases closed their assignments) is closed here, silently, never chased.
    states = repo.case_states({a.application_no for a, _ in due}) if due else {}
    closed_cases = {no for no, (status, _) in states.items() if status in CLOSED}
    for a, office_code in due:       # the index keeps the handling office with each assignment
        if a.application_no in closed_cases:
            a.status = AssignmentStatus.CLOSED
            counts["closed" if repo.save_assignment(a, office_code) else "skipped"] += 1
            continue
        pending = sweeps.assignment_next(a, calendar, window)
        if pending is None or pending[1] > now:
            counts["skipped"] += 1
            continue
        action, _ = pending
        event: ev.ReminderDue | ev.AssignmentOverdue
        if action == "remind":
            step = sweeps.assignment_step(a)
            event = ev.ReminderDue(a, step)
            a.reminded_for = step
        else:
            event = ev.AssignmentOverdue(a, office_code)
            a.status = AssignmentStatus.OVERDUE
        # Notify first, then take the item out of the index: a crash in between only
        # repeats notifications whose dedup keys make them happen once.
        tell(ports, [event], offices=offices)
        if repo.save_assignment(a, office_code):
            counts["reminded" if action == "remind" else "escalated"] += 1
        else:
            counts["skipped"] += 1
    return counts


def reroute_sweep(ports: Ports, now: datetime) -> int:
    """Cases still unrouted 10 minutes after submission (their `application.received`
    message was lost): the message is sent again. Routing is idempotent."""
    sent = 0
    for pending in ports.cases.due_routes(now):
        ports.publisher.route(routing_messages.application_received(pending.application_no, pending.district, now,
                                                            resent=True))
        ports.cases.postpone_route(pending.application_no, now + sweeps.REROUTE_BACKOFF)
        sent += 1
    return sent


def case_sweep(ports: Ports, now: datetime) -> dict:
    """Daily: cases within 5 days of their legal due date, and information requests at
    working day 12 with no extension; the office is warned once for each."""
    repo = ports.cases
    calendar = default_calendar()
    offices = office_lookup(ports.reference)
    counts = {"legal_warning": 0, "extension_window": 0, "skipped": 0}
    for case in repo.due_cases(now):
        due_actions = [name for name, at in sweeps.case_actions(case, calendar) if at <= now]
        if not due_actions or offices(case.office) is None:
            counts["skipped"] += 1
            continue
        events: list = []
        for name in due_actions:
            if name == "legal_warning" and case.legal_due_date is not None:
                events.append(ev.LegalDeadlineNear(case, (case.legal_due_date - local_date(now)).days))
                case.legal_warned_for = case.legal_due_date.isoformat()
            elif name != "legal_warning":
                events.append(ev.ExtensionDecisionDue(case, calendar.legal_due_4982(case.period_start)))
                case.extension_warned = True
        tell(ports, events, offices=offices)
        if repo.try_save_case(case):
            for name in due_actions:
                counts[name] += 1
        else:
            counts["skipped"] += 1
    return counts


def digest(ports: Ports, now: datetime) -> int:
    """The morning digest, split: one routing message per onboarded office (the routing
    worker runs `district_digest` for each), so the national run is a thousand small
    pieces of work with their own retries, well inside any function's time-out."""
    today = local_date(now)
    codes = sorted(ports.reference.onboarded_offices())
    ports.publisher.route_many([routing_messages.district_digest(code, today) for code in codes])
    return len(codes)


def district_digest(ports: Ports, code: str, today) -> bool:
    """One e-mail to one office: yesterday's new cases still open, what is due today,
    what is overdue. One Query of the office's open cases."""
    offices = office_lookup(ports.reference)
    if offices(code) is None:
        return False
    yesterday = today - timedelta(days=1)
    open_cases = ports.cases.open_cases(code)
    new = sorted(c.application_no for c in open_cases if local_date(c.received_at) == yesterday)
    due = [ev.DigestItem(c.application_no, c.subject, c.legal_due_date) for c in open_cases
           if c.legal_due_date is not None and c.legal_due_date <= today]
    tell(ports, [ev.DailyDigest(code, today, tuple(new), tuple(c for c in due if c.legal_due_date == today),
                                tuple(c for c in due if c.legal_due_date < today))], offices=offices)
    return True


def deadline(ports: Ports, now: datetime) -> dict:
    """The 15-minute sweep: reminders and escalations, then lost routing messages."""
    result = assignment_sweep(ports, now)
    result["rerouted"] = reroute_sweep(ports, now)
    return result


def daily(ports: Ports, now: datetime) -> dict:
    result = case_sweep(ports, now)
    result["digests"] = digest(ports, now)
    result["kvkk_reminders"] = kvkk.remind_due_requests(ports, now)
    return result
