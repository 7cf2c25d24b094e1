"""Scheduled sweeps: institution reminders and overdue escalation (every 15 minutes),
the legal-deadline and extension-window warnings and the district digest (daily, in
the morning, Europe/Istanbul).

Each sweep takes `now` as a parameter, reads only what the sweep index says is due,
and is idempotent: notifications carry deterministic dedup keys (so two sweeps, even
at once, send each one once), and the state change that takes an item out of the
index is version-checked.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from ..domain import events as ev
from ..domain import offices as O
from ..domain import sweeps
from ..domain.assignment import AssignmentStatus, DistrictSettings
from ..domain.calendar import ISTANBUL, default_calendar, local_date
from ..domain.case import CLOSED
from . import inbox, kvkk, routing_messages
from .notification_map import office_lookup, office_name, tell
from .ports import Ports


def assignment_sweep(ports: Ports, now: datetime, *, window: int = sweeps.REMINDER_WINDOW_WORKING_DAYS) -> dict:
    repo = ports.cases
    calendar = default_calendar()
    offices = office_lookup(ports.reference)
    counts = {"reminded": 0, "escalated": 0, "skipped": 0, "closed": 0, "digested": 0}
    due = list(repo.due_assignments(now))
    # Closed means closed: an assignment still open on a closed case (one left from
    # before cases closed their assignments) is closed here, silently, never chased.
    states = repo.case_states({a.application_no for a, _ in due}) if due else {}
    closed_cases = {no for no, (status, _) in states.items() if status in CLOSED}
    digests = _Digests(ports, now, offices)
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
            if digests.wanted(a):     # one daily digest with the inbox link instead
                digests.send(a)
                counts["digested"] += 1
                counts["reminded"] += 1 if repo.save_assignment(a, office_code) else 0
                continue
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


class _Digests:
    """Institutions that chose the daily digest (issue 38): a reminder due for one of
    their assignments becomes one e-mail a day with the inbox link and the counts of what
    they owe (dedup key per institution and day, so later sweeps that day send nothing).
    Each institution's current settings are read once a run, its inbox once a day at most."""

    def __init__(self, ports: Ports, now: datetime, offices):
        self.ports, self.now, self.offices = ports, now, offices
        self.places: dict[str, DistrictSettings | None] = {}
        self.sent: set[str] = set()

    def _current(self, a):
        place = inbox.place_of(a.institution.id)
        if place not in self.places:
            self.places[place] = self.ports.reference.district(place)
        stored = self.places[place]
        return next((i for i in stored.institutions if i.id == a.institution.id), None) if stored else None

    def wanted(self, a) -> bool:
        inst = self._current(a)
        return bool(inst and inst.inbox_digest and inst.reachable and inst.send_method == "email_link"
                    and inst.liaison_email)

    def send(self, a) -> None:
        inst = self._current(a)
        if inst is None or inst.id in self.sent:
            return
        self.sent.add(inst.id)
        owed, _ = self.ports.cases.open_for_institution(inst.id, inbox.ROWS)
        today = local_date(self.now)
        tell(self.ports, [ev.InboxDigestDue(inst.id, inst.name, inst.liaison_email or "",
                                            office_name(O.office_of(inbox.place_of(inst.id))),
                                            inbox.url(self.ports.keys, inst, self.now), today, len(owed),
                                            sum(1 for x in owed if x.sla_due_date < today))], offices=self.offices)


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
    what is overdue. It reads what it sends: the open cases due by today, and those
    received since yesterday (key-bounded Queries), never the office's other open cases."""
    offices = office_lookup(ports.reference)
    if offices(code) is None:
        return False
    yesterday = today - timedelta(days=1)
    open_cases = ports.cases.digest_cases(code, today, sweeps.due_windows(yesterday, today, default_calendar()),
                                          datetime.combine(yesterday, time(), tzinfo=ISTANBUL))
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
