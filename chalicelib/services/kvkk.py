"""Personal data for its whole life (KVKK): the monthly destruction sweep, the
destruction log, the citizen's own copy, and the data-subject requests of art. 11.

The rules are pure (domain/retention.py, data/retention.json); this module reads what
is due through the sweep index (never a Scan), anonymises, deletes the attachments and
logs each destroyed record in the same transaction as the anonymised case.
"""
from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from ..config import settings
from ..domain import events as ev
from ..domain import numbers
from ..domain import retention as R
from ..domain import subject_requests as D
from ..domain.audit import AuditEntry
from ..domain.calendar import iso_local, local_date
from ..domain.errors import AppError, Conflict, Forbidden, NotFound, forbidden
from ..domain.identity import mask_national_id, mask_phone
from ..logs import logger
from .notification_map import office_lookup, tell
from .ports import InvalidCursor, Ports, StaleCase
from .reference import office_contact
from .tracking import checked_case, notes_view


def new_run_id(now: datetime) -> str:
    return f"kvkk-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def destroy_case(ports: Ports, no: str, now: datetime, *, run_id: str, rule: str = "case",
                 audit: AuditEntry | None = None, check_due: bool = True) -> list[R.Destroyed] | None:
    """Anonymises one closed case and everything that hangs off it; the destroyed
    records, or None when there was nothing to do (held, open, not due, done already,
    or another run won)."""
    # destroying needs none of the sealed data: nothing is decrypted to delete it
    case, assignments = ports.cases.load_with_assignments(no, with_personal_data=False)
    if case is None or case.anonymised_at is not None or not case.closed or case.legal_hold:
        return None
    closed_on = local_date(case.closed_at) if case.closed_at else None
    if check_due and not R.due(closed_on, local_date(now), years=settings().retention_years):
        return None
    entries, keys = R.anonymise(case, assignments, now, rule_name=rule)
    # attachments first: deleting is idempotent, and a case whose transaction then
    # loses to another run has lost nothing it still needed
    for key in keys:
        ports.storage.delete(key)
    ports.storage.delete_case_objects(case.application_no)
    if ports.statistics.erase_survey_comment(case.application_no):
        entries.append(R.Destroyed("survey", case.application_no, "survey"))
    try:
        ports.cases.commit_destruction(case, assignments, entries, run_id=run_id, at=now, audit=audit)
    except StaleCase:
        return None
    return entries


def sweep(ports: Ports, now: datetime, *, run_id: str | None = None) -> dict:
    """The monthly destruction run (well inside the regulation's 6 months): every closed
    case whose retention period ended, unless it is on legal hold."""
    run_id = run_id or new_run_id(now)
    destroyed, records = 0, 0
    for no in ports.cases.due_retention(now):
        entries = destroy_case(ports, no, now, run_id=run_id)
        if entries:
            destroyed += 1
            records += len(entries)
    result = {"run_id": run_id, "cases": destroyed, "records": records}
    logger().info("kvkk destruction run", extra=result)
    return result


def destruction_log(ports: Ports, p, params: dict) -> dict:
    if p.role != "supervisor" or not p.district:
        raise forbidden()
    try:
        rows, cursor = ports.cases.destruction_log(p.district, limit=50, cursor=params.get("cursor"))
    except InvalidCursor:
        raise AppError("invalid_cursor", "Sayfa imleci geçersiz.", field="cursor") from None
    return {"district": p.district, "entries": [{**r, "at": iso_local(datetime.fromisoformat(r["at"])),
                                                 "application_no": numbers.format_application_no(r["application_no"])}
                                                for r in rows], "next_cursor": cursor}


def _readable_copy(ports: Ports, case, assignments) -> dict:
    """Every field held about the applicant in one case, the recipients and the end of
    its retention (KVKK art. 11: what is processed, for what, and to whom it went)."""
    a = case.applicant
    replies, desk, notes = [], [], []
    for n in notes_view(ports, case):
        if n.get("kind") == "citizen_reply":
            replies.append({"at": n.get("at"), "text": n.get("text")})
        elif n.get("kind") == "desk_reply":
            desk.append({"at": n.get("at"), "channel": n.get("channel"), "text": n.get("text")})
        elif n.get("text"):
            notes.append({"at": n.get("at"), "kind": n.get("kind"), "text": n.get("text")})
    notes += [{"at": iso_local(h.at), "kind": h.event or "note", "text": h.note} for h in case.history
              if not h.public and h.note]
    end = R.retention_end(local_date(case.closed_at), settings().retention_years) if case.closed_at else None
    where = settings().data_location()
    processors = [{"name": where.recipient or "Barındırma, e-posta ve SMS hizmet sağlayıcısı",
                   "role": "veri işleyen: barındırma, veri tabanı, e-posta ve SMS gönderimi",
                   "where": where.place, "abroad": where.abroad, "basis": where.basis}]
    return {
        "application_no": numbers.format_application_no(case.application_no),
        "type": case.type, "category": case.category, "district": case.district, "channel": case.channel,
        "status": case.status.value, "received_at": iso_local(case.received_at),
        "closed_at": iso_local(case.closed_at),
        "applicant": {"national_id": a.national_id, "first_name": a.first_name, "last_name": a.last_name,
                      "phone": a.phone, "email": a.email, "address": a.address},
        "subject": case.subject, "description": case.description, "location": case.location, "place": case.place,
        "confidential_identity": case.confidential_identity,
        "citizen_replies": replies,
        "replies_taken_at_the_desk": desk,
        "office_notes": notes,
        "files": [{"filename": f.get("filename"), "content_type": f.get("content_type"), "size": f.get("size"),
                   "at": f.get("at")} for f in case.citizen_files],
        "institution_answers": [{"institution": x.institution.name, "at": iso_local(ans.at), "outcome": ans.outcome,
                                 "text": ans.text, "responder_title": ans.responder_title}
                                for x in assignments for ans in x.answers],
        "history": [{"at": iso_local(h.at), "status": h.status.value, "note": h.note} for h in case.public_history()],
        "final_answer": case.final_answer,
        "recipients": [{"name": x.institution.name, "since": iso_local(x.dispatched_at),
                        "saw_contact_details": bool(x.contact_shared),
                        "saw_identity": not case.confidential_identity} for x in assignments],
        "processors": processors,
        "retention": {"rule": "case", "years": settings().retention_years,
                      "ends_on": end.isoformat() if end else None,
                      "ground": R.rule("case")["ground"], "legal_hold": bool(case.legal_hold)},
    }


def citizen_copy(ports: Ports, raw_no: str, access_code: str | None, *, client: str, session: str | None = None) -> dict:
    """The citizen's own copy of what one application holds (number + access code, or
    her phone-verified session)."""
    now = ports.clock.now()
    checked = checked_case(ports, raw_no, access_code, client=client, now=now, session=session)
    case, assignments = ports.cases.load_with_assignments(checked.application_no)
    if case is None:
        raise AppError("not_found", "Başvuru bulunamadı.", status=404)
    ports.audit.record(AuditEntry(case.application_no, "citizen", "citizen", "kvkk_self_copy", now, client))
    return {"generated_at": iso_local(now), "controller": controller(ports, case.district), "applications": [
        _readable_copy(ports, case, assignments)]}


def controller(ports: Ports, district: str) -> str:
    """The controller of a district's applications, as a copy names it: the office, with its contact."""
    office = office_contact(ports, district)
    if office is None:
        return "Başvurunun yapıldığı valilik / kaymakamlık (veri sorumlusu)"
    contact = ", ".join(x for x in (office.get("address"), office.get("email"), office.get("kep")) if x)
    return f"{office['name']} (veri sorumlusu){f': {contact}' if contact else ''}"


def _supervisor(p, district: str) -> None:
    if p.role != "supervisor" or p.district != district:
        raise Forbidden("forbidden", "Bu işlem için yetkiniz yok.")


# --- data-subject requests (KVKK art. 11 and 13) ----------------------------------------
# Who handles them: the district's supervisors (docs/kvkk.md says why).

def _request_view(r) -> dict:
    return {"id": D.format_id(r.id), "district": r.district, "national_id_masked": mask_national_id(r.national_id),
            "kind": r.kind, "kind_name": D.KINDS[r.kind], "channel": r.channel, "channel_name": D.CHANNELS[r.channel],
            "received_on": r.received_on.isoformat(), "due_on": r.due_on.isoformat(), "status": r.status,
            "answer": r.answer, "closed_at": iso_local(r.closed_at), "closed_by": r.closed_by,
            "registered_by": r.registered_by, "log": r.log, "version": r.version}


def _load_request(ports: Ports, p, raw_id: str):
    if p.role != "supervisor" or not p.district:      # who may, before what exists
        raise Forbidden("forbidden", "Bu işlem için yetkiniz yok.")
    rid = D.parse_id(raw_id)
    r = ports.subject_requests.get(rid) if rid else None
    if r is None:
        raise NotFound("not_found", "Bu numarayla bir ilgili kişi başvurusu yok.")
    _supervisor(p, r.district)
    return r


def _save_request(ports: Ports, r) -> None:
    try:
        ports.subject_requests.save(r)
    except StaleCase:
        raise Conflict("concurrent_update", "Başvuru aynı anda değiştirildi; sayfayı yenileyip tekrar deneyiniz.") \
            from None


def register_request(ports: Ports, p, data, *, client: str) -> dict:
    from ..domain.schemas import SubjectRequestIn, parse
    if p.role != "supervisor" or not p.district:
        raise forbidden()
    now = ports.clock.now()
    req = parse(SubjectRequestIn, data)
    if req.received_on > local_date(now):
        raise AppError("future_date", "Başvurunun alındığı gün ileri bir tarih olamaz.", field="received_on", status=422)
    r = D.SubjectRequest(id=D.new_id(), district=p.district, national_id=req.national_id, kind=req.kind,
                         channel=req.channel, received_on=req.received_on, registered_by=p.username,
                         registered_at=now)
    ports.subject_requests.add(r)
    ports.audit.record(AuditEntry(f"KVKK-{r.id}", p.username, p.role, "kvkk_register", now, client,
                                  {"kind": r.kind, "channel": r.channel}))
    return _request_view(r)


def list_requests(ports: Ports, p, params: dict) -> dict:
    if p.role != "supervisor" or not p.district:
        raise forbidden()
    status = params.get("status") or "open"
    if status not in ("open", "closed"):
        raise AppError("invalid_choice", "Durum için geçerli değerler: open (açık) ya da closed (kapalı).",
                       field="status", status=422)
    return {"requests": [_request_view(r) for r in ports.subject_requests.by_status(p.district, status)]}


def _cases_in_scope(ports: Ports, p, r) -> list:
    return [c for c in ports.cases.cases_of_applicant(r.national_id) if c.district == p.district]


def get_request(ports: Ports, p, raw_id: str, *, client: str) -> dict:
    """The request and every application of that national id in the supervisor's
    district: one Query of the keyed-hash index, audited."""
    r = _load_request(ports, p, raw_id)
    now = ports.clock.now()
    cases = _cases_in_scope(ports, p, r)
    ports.audit.record(AuditEntry(f"KVKK-{r.id}", p.username, p.role, "kvkk_lookup", now, client,
                                  {"found": len(cases)}))
    rows = []
    for c in sorted(cases, key=lambda c: c.received_at):
        end = R.retention_end(local_date(c.closed_at), settings().retention_years) if c.closed_at else None
        refusal = D.erasure_refusal(c)
        rows.append({"application_no": numbers.format_application_no(c.application_no), "subject": c.subject,
                     "type": c.type, "status": c.status.value, "received_at": iso_local(c.received_at),
                     "closed_at": iso_local(c.closed_at), "retention_ends_on": end.isoformat() if end else None,
                     "version": c.version, "first_name": c.applicant.first_name, "last_name": c.applicant.last_name,
                     "address": c.applicant.address, "phone_masked": mask_phone(c.applicant.phone),
                     "erasable": refusal is None, "erasure_refusal": refusal[1] if refusal else None})
    return {"request": _request_view(r), "applications": rows}


def export_copy(ports: Ports, p, raw_id: str, *, client: str) -> dict:
    """Every field held about the person in every case of the district, with the
    recipients and the retention end (JSON; the console prints it as a Turkish page)."""
    r = _load_request(ports, p, raw_id)
    now = ports.clock.now()
    copies = []
    for c in sorted(_cases_in_scope(ports, p, r), key=lambda c: c.received_at):
        _, assignments = ports.cases.load_with_assignments(c.application_no)
        copies.append(_readable_copy(ports, c, assignments))
    r.log.append({"at": iso_local(now), "by": p.username, "action": "copy", "count": len(copies)})
    _save_request(ports, r)
    ports.audit.record(AuditEntry(f"KVKK-{r.id}", p.username, p.role, "kvkk_export", now, client,
                                  {"applications": len(copies)}))
    return {"generated_at": iso_local(now), "controller": controller(ports, r.district), "request": _request_view(r),
            "applications": copies}


def correct(ports: Ports, p, raw_id: str, data, *, client: str) -> dict:
    """Corrects a name, address or phone in one of the person's cases, with a reason:
    version-checked like every change, audited, noted in the case's internal history."""
    from ..domain.schemas import CorrectionIn, parse
    r = _load_request(ports, p, raw_id)
    req = parse(CorrectionIn, data)
    now = ports.clock.now()
    no = numbers.normalise_application_no(req.application_no)
    case, assignments = ports.cases.load_with_assignments(no) if no else (None, [])
    if no is None or case is None or case.district != p.district or case.applicant.national_id != r.national_id:
        raise NotFound("not_found", "Bu kişinin bu ilçede böyle bir başvurusu yok.", field="application_no")
    if case.anonymised_at is not None:
        raise Conflict("anonymised", "Bu başvurunun kişisel verileri imha edilmiş.")
    if case.version != req.version:
        raise Conflict("stale_version", "Başvuru siz bakarken değişti; sayfayı yenileyiniz.",
                       details={"current_version": case.version})
    case.applicant = replace(case.applicant, **{req.field: req.value})
    case.add_note(now, f"KVKK düzeltmesi ({D.format_id(r.id)}): {D.CORRECTABLE[req.field]} düzeltildi. "
                  f"Gerekçe: {req.reason}", actor=p.username, event="kvkk_correction")
    try:
        ports.cases.commit(case, [], audit=AuditEntry(case.application_no, p.username, p.role, "kvkk_correction",
                                                      now, client, {"field": req.field, "request": r.id}))
    except StaleCase:
        raise Conflict("stale_version", "Başvuru siz bakarken değişti; sayfayı yenileyiniz.") from None
    r.log.append({"at": iso_local(now), "by": p.username, "action": "correction", "field": req.field,
                  "application_no": numbers.format_application_no(no)})
    _save_request(ports, r)
    return get_request(ports, p, raw_id, client=client)


def erase(ports: Ports, p, raw_id: str, data, *, client: str) -> dict:
    """Erases a case's personal data early where no legal obligation keeps it: a case
    that closed without ever being forwarded. An open or forwarded case is refused, with why."""
    from ..domain.schemas import ErasureIn, parse
    r = _load_request(ports, p, raw_id)
    req = parse(ErasureIn, data)
    now = ports.clock.now()
    no = numbers.normalise_application_no(req.application_no)
    case = ports.cases.get(no) if no else None
    if no is None or case is None or case.district != p.district or case.applicant.national_id != r.national_id:
        raise NotFound("not_found", "Bu kişinin bu ilçede böyle bir başvurusu yok.", field="application_no")
    refusal = D.erasure_refusal(case)
    if refusal:
        raise Conflict(refusal[0], refusal[1], field="application_no")
    audit = AuditEntry(case.application_no, p.username, p.role, "kvkk_erasure", now, client, {"request": r.id})
    entries = destroy_case(ports, no, now, run_id=f"request-{r.id}", rule="erasure_request", audit=audit,
                           check_due=False)
    if entries is None:
        raise Conflict("concurrent_update", "Başvuru aynı anda değişti; sayfayı yenileyip tekrar deneyiniz.")
    r.log.append({"at": iso_local(now), "by": p.username, "action": "erasure",
                  "application_no": numbers.format_application_no(no), "records": len(entries)})
    _save_request(ports, r)
    return get_request(ports, p, raw_id, client=client)


def close_request(ports: Ports, p, raw_id: str, data, *, client: str) -> dict:
    from ..domain.schemas import CloseRequestIn, parse
    r = _load_request(ports, p, raw_id)
    req = parse(CloseRequestIn, data)
    if r.status == "closed":
        raise Conflict("already_closed", "Bu ilgili kişi başvurusu zaten cevaplanıp kapatıldı.")
    if r.version != req.version:
        raise Conflict("stale_version", "Başvuru siz bakarken değişti; sayfayı yenileyiniz.",
                       details={"current_version": r.version})
    now = ports.clock.now()
    r.status, r.answer, r.closed_at, r.closed_by = "closed", req.answer, now, p.username
    _save_request(ports, r)
    ports.audit.record(AuditEntry(f"KVKK-{r.id}", p.username, p.role, "kvkk_close", now, client,
                                  {"late": local_date(now) > r.due_on}))
    return _request_view(r)


def remind_due_requests(ports: Ports, now: datetime) -> int:
    """Daily: the office is reminded of a subject request 5 days before its 30th day."""
    sent, lookup = 0, office_lookup(ports.reference)
    for r in ports.subject_requests.due(now):
        if r.status != "open" or r.warned:
            continue
        tell(ports, [ev.SubjectRequestDue(r.id, r.district, r.due_on, r.kind)], offices=lookup)
        r.warned = True
        try:
            ports.subject_requests.save(r)
            sent += 1
        except StaleCase:
            continue
    return sent
