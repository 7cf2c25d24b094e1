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

from ..domain import refs, watch
from ..domain.assignment import AssignmentStatus
from ..domain.calendar import default_calendar, local_date
from ..domain.catalog import catalog
from ..domain.notifications import Notification, dedup_key
from . import links, messages
from .notifications import office_event, tr_date
from .ports import Ports


def _district_cache(repo):
    cache: dict = {}

    def get(code):
        if code not in cache:
            cache[code] = repo.district(code)
        return cache[code]
    return get


def assignment_sweep(ports: Ports, now: datetime, *, window: int = watch.REMINDER_WINDOW_WORKING_DAYS) -> dict:
    repo = ports.store
    calendar = default_calendar()
    district = _district_cache(repo)
    counts = {"reminded": 0, "escalated": 0, "skipped": 0}
    for a, district_code in repo.due_assignments(now):
        pending = watch.assignment_next(a, calendar, window)
        if pending is None or pending[1] > now:
            counts["skipped"] += 1
            continue
        action, _ = pending
        no = a.application_no
        if action == "remind":
            step = watch.assignment_step(a)
            notes = [Notification(
                dedup_key(no, f"reminder-{step}", a.institution.id), "email", "institution_reminder",
                a.institution.liaison_email,
                {"application_no": refs.format_application_no(no), "subject": a.subject,
                 "sla_due_date": tr_date(a.sla_due_date), "link": links.institution_link(ports.keys, a)})]
            a.reminded_for = step
        else:
            settings = district(district_code)
            detail = (f"{a.institution.name}, {tr_date(a.sla_due_date)} tarihine kadar cevap vermesi gereken "
                      f"başvuruyu cevaplamadı.")
            notes = []
            if settings is not None:
                notes.append(office_event(no, district_code, settings.office_email, "office",
                                           f"overdue-f{a.forward_id}-{a.institution.id}",
                                           "Kurum cevap süresini aştı", detail))
                if settings.supervisor_email:
                    notes.append(office_event(no, district_code, settings.supervisor_email, "supervisor",
                                               f"escalation-f{a.forward_id}-{a.institution.id}",
                                               "Süre aşımı: sorumlu bilgilendirmesi", detail))
            a.status = AssignmentStatus.OVERDUE
        # Notify first, then take the item out of the index: a crash in between only
        # repeats notifications whose dedup keys make them happen once.
        ports.publisher.notify(notes)
        if repo.save_assignment(a, district_code):
            counts["reminded" if action == "remind" else "escalated"] += 1
        else:
            counts["skipped"] += 1
    return counts


def reroute_sweep(ports: Ports, now: datetime) -> int:
    """Cases still unrouted 10 minutes after submission (their `application.received`
    message was lost): the message is sent again. Routing is idempotent."""
    sent = 0
    for pending in ports.store.due_routes(now):
        ports.publisher.route(messages.application_received(pending.application_no, pending.district, now,
                                                            resent=True))
        ports.store.postpone_route(pending.application_no, now + watch.REROUTE_BACKOFF)
        sent += 1
    return sent


def case_sweep(ports: Ports, now: datetime) -> dict:
    """Daily: cases within 5 days of their legal due date, and information requests at
    working day 12 with no extension; the office is warned once for each."""
    repo = ports.store
    calendar = default_calendar()
    district = _district_cache(repo)
    counts = {"legal_warning": 0, "extension_window": 0, "skipped": 0}
    for case in repo.due_cases(now):
        due_actions = [name for name, at in watch.case_actions(case, calendar) if at <= now]
        settings = district(case.district)
        if not due_actions or settings is None:
            counts["skipped"] += 1
            continue
        notes = []
        for name in due_actions:
            if name == "legal_warning":
                left = (case.legal_due_date - local_date(now)).days
                notes.append(office_event(case.application_no, case.district, settings.office_email, "office",
                                           f"legal-warning-{case.legal_due_date.isoformat()}",
                                           "Yasal cevap süresi yaklaşıyor",
                                           f"Yasal son gün {tr_date(case.legal_due_date)} ({left} gün kaldı)."))
                case.legal_warned_for = case.legal_due_date.isoformat()
            else:
                day15 = calendar.legal_due_4982(case.receipt_date)
                notes.append(office_event(case.application_no, case.district, settings.office_email, "office",
                                           "extension-window", "Bilgi edinme: uzatma kararı gerekiyor",
                                           f"Başvuru 12. iş gününde. Süre uzatılacaksa {tr_date(day15)} tarihinden "
                                           f"önce karar verilip başvuru sahibine bildirilmelidir (4982 md. 11)."))
                case.extension_warned = True
        ports.publisher.notify(notes)
        if repo.try_save_case(case):
            for name in due_actions:
                counts[name] += 1
        else:
            counts["skipped"] += 1
    return counts


def digest(ports: Ports, now: datetime) -> int:
    """One e-mail per district office: yesterday's new cases, what is due today, what is
    overdue."""
    repo = ports.store
    today = local_date(now)
    sent = 0
    notes = []
    for code in repo.registered_districts():
        settings = repo.district(code)
        if settings is None:
            continue
        new = repo.digest_new(code, today - timedelta(days=1))
        due = repo.open_due_by(code, today)
        due_today = [c for c in due if c.legal_due_date == today]
        overdue = [c for c in due if c.legal_due_date < today]

        def lines(cases):
            return "\n".join(f"- {refs.format_application_no(c.application_no)}: {c.subject} "
                             f"(son gün {tr_date(c.legal_due_date)})" for c in cases) or "- yok"
        notes.append(Notification(f"digest:{code}:{today.isoformat()}", "email", "digest", settings.office_email, {
            "district_name": catalog().districts[code].name, "date": tr_date(today),
            "new_count": len(new), "new_list": "\n".join(f"- {refs.format_application_no(n)}" for n in new) or "- yok",
            "due_count": len(due_today), "due_list": lines(due_today),
            "overdue_count": len(overdue), "overdue_list": lines(overdue)}))
        sent += 1
    ports.publisher.notify(notes)
    return sent


def deadline(ports: Ports, now: datetime) -> dict:
    """The 15-minute sweep: reminders and escalations, then lost routing messages."""
    result = assignment_sweep(ports, now)
    result["rerouted"] = reroute_sweep(ports, now)
    return result


def daily(ports: Ports, now: datetime) -> dict:
    result = case_sweep(ports, now)
    result["digests"] = digest(ports, now)
    return result
