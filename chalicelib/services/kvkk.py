"""Personal data for its whole life (KVKK): the monthly destruction sweep, the
destruction log, the citizen's own copy, and the data-subject requests of art. 11.

The rules are pure (domain/retention.py, data/retention.json); this module reads what
is due through the sweep index (never a Scan), anonymises, deletes the attachments and
logs each destroyed record in the same transaction as the anonymised case.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from ..domain import refs
from ..domain import retention as R
from ..domain.calendar import iso_local, local_date
from ..domain.errors import AppError, Forbidden
from ..domain.records import AuditEntry
from .ports import Ports, StaleCase


def new_run_id(now: datetime) -> str:
    return f"kvkk-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def destroy_case(ports: Ports, no: str, now: datetime, *, run_id: str, rule: str = "case",
                 audit: AuditEntry | None = None, check_due: bool = True) -> list[R.Destroyed] | None:
    """Anonymises one closed case and everything that hangs off it; the destroyed
    records, or None when there was nothing to do (held, open, not due, done already,
    or another run won)."""
    from ..config import settings
    case, assignments = ports.store.load_with_assignments(no)
    if case is None or case.anonymised_at is not None or not case.closed or case.legal_hold:
        return None
    if check_due and not R.due(local_date(case.closed_at), local_date(now), years=settings().retention_years):
        return None
    entries, keys = R.anonymise(case, assignments, now, rule_name=rule)
    # attachments first: deleting is idempotent, and a case whose transaction then
    # loses to another run has lost nothing it still needed
    for key in keys:
        ports.storage.delete(key)
    ports.storage.delete_case_objects(case.application_no)
    if ports.store.erase_survey_comment(case.application_no):
        entries.append(R.Destroyed("survey", case.application_no, "survey"))
    try:
        ports.store.commit_destruction(case, assignments, entries, run_id=run_id, at=now, audit=audit)
    except StaleCase:
        return None
    return entries


def sweep(ports: Ports, now: datetime, *, run_id: str | None = None) -> dict:
    """The monthly destruction run (well inside the regulation's 6 months): every closed
    case whose retention period ended, unless it is on legal hold."""
    from ..logs import logger
    run_id = run_id or new_run_id(now)
    destroyed, records = 0, 0
    for case in ports.store.due_retention(now):
        entries = destroy_case(ports, case.application_no, now, run_id=run_id)
        if entries:
            destroyed += 1
            records += len(entries)
    result = {"run_id": run_id, "cases": destroyed, "records": records}
    logger().info("kvkk destruction run", extra=result)
    return result


def destruction_log(ports: Ports, p, params: dict) -> dict:
    from .office.queries import forbidden
    if p.role != "supervisor" or not p.district:
        raise forbidden()
    from .ports import InvalidCursor
    try:
        rows, cursor = ports.store.destruction_log(p.district, limit=50, cursor=params.get("cursor"))
    except InvalidCursor:
        raise AppError("invalid_cursor", "Sayfa imleci geçersiz.", field="cursor") from None
    return {"district": p.district, "entries": [{**r, "at": iso_local(datetime.fromisoformat(r["at"])),
                                                 "application_no": refs.format_application_no(r["application_no"])}
                                                for r in rows], "next_cursor": cursor}


def _readable_copy(ports: Ports, case, assignments) -> dict:
    """Every field held about the applicant in one case, the recipients and the end of
    its retention (KVKK art. 11: what is processed, for what, and to whom it went)."""
    from ..config import settings
    a = case.applicant
    replies = []
    for n in case.notes:
        if n.get("kind") == "citizen_reply" and "text_enc" in n:
            replies.append({"at": n.get("at"), "text": ports.keys.unseal(n["text_enc"], case.application_no)})
    end = R.retention_end(local_date(case.closed_at), settings().retention_years) if case.closed_at else None
    return {
        "application_no": refs.format_application_no(case.application_no),
        "type": case.type, "category": case.category, "district": case.district, "channel": case.channel,
        "status": case.status.value, "received_at": iso_local(case.received_at),
        "closed_at": iso_local(case.closed_at),
        "applicant": {"national_id": a.national_id, "first_name": a.first_name, "last_name": a.last_name,
                      "phone": a.phone, "email": a.email, "address": a.address},
        "subject": case.subject, "description": case.description, "location": case.location,
        "confidential_identity": case.confidential_identity,
        "citizen_replies": replies,
        "history": [{"at": iso_local(h.at), "status": h.status.value, "note": h.note} for h in case.public_history()],
        "final_answer": case.final_answer,
        "recipients": [{"name": x.institution.name, "since": iso_local(x.dispatched_at),
                        "saw_contact_details": bool(x.contact_shared),
                        "saw_identity": not case.confidential_identity} for x in assignments],
        "retention": {"rule": "case", "years": settings().retention_years,
                      "ends_on": end.isoformat() if end else None,
                      "ground": R.rule("case")["ground"], "legal_hold": bool(case.legal_hold)},
    }


def citizen_copy(ports: Ports, raw_no: str, access_code: str | None, *, client: str) -> dict:
    """The citizen's own copy of what one application holds (number + access code)."""
    from .applications import _checked_case
    now = ports.clock.now()
    checked = _checked_case(ports, raw_no, access_code, client=client, now=now)
    case, assignments = ports.store.load_with_assignments(checked.application_no)
    ports.audit.record(AuditEntry(case.application_no, "citizen", "citizen", "kvkk_self_copy", now, client))
    return {"generated_at": iso_local(now), "controller": controller(), "applications": [
        _readable_copy(ports, case, assignments)]}


def controller() -> str:
    return "T.C. İçişleri Bakanlığı adına başvurunun yapıldığı valilik / kaymakamlık (veri sorumlusu)"


def check_final_answer(text: str) -> None:
    """A final answer outlives the applicant's data: it must not carry a national id or
    a phone number (docs/kvkk.md)."""
    found = R.personal_data_in(text)
    if found:
        names = {"national_id": "T.C. kimlik numarası", "phone": "telefon numarası"}
        raise AppError("personal_data_in_answer",
                       f"Gerekçeli cevapta {' ve '.join(names[f] for f in found)} var; çıkarınız. Son cevap, başvuru "
                       "sahibinin kişisel verileri saklama süresi sonunda imha edildikten sonra da saklanır.",
                       field="answer", status=422)


def _supervisor(p, district: str) -> None:
    if p.role != "supervisor" or p.district != district:
        raise Forbidden("forbidden", "Bu işlem için yetkiniz yok.")
