"""The office (büro): the district queue, case detail with audited reveal, desk intake,
triage, forwarding, information requests, evaluation of institution answers, interim
answers, the reasoned final answer, reopening, and the audit trail.

Every change: scope check -> the version the clerk saw -> a transition of the pure
state machine -> one version-checked transaction with its audit record -> the
notifications. A stale version is 409 with the current state; so is an illegal
transition.
"""
from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta

from .. import security
from ..adapters.audit import audit_item, record, trail
from ..domain import office as policy
from ..domain import refs
from ..domain.assignment import AssignmentStatus
from ..domain.calendar import default_calendar, iso_local as _iso, local_date
from ..domain.case import HistoryEntry, Status
from ..domain.catalog import catalog
from ..domain.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.identity import mask_national_id, mask_phone
from ..domain.notifications import Notification, dedup_key
from ..domain.schemas import (ConcludeIn, DeskApplicationIn, EvaluateIn, ForwardIn, InterimIn, MergeIn,
                              NotProcessedIn, ReopenIn, RequestInfoIn, RevokeLinkIn, TriageIn, parse)
from . import links, routing
from .applications import build_case, record_new_case
from .notifications import publish

MAX_BACKDATE = timedelta(days=30)


def _normalise_no(raw: str) -> str:
    no = refs.normalise_application_no(raw)
    if no is None:
        raise AppError("invalid_application_no", "Başvuru numarası hatalı yazılmış.", field="application_no")
    return no


def forbidden() -> Forbidden:
    return Forbidden("forbidden", "Bu işlem için yetkiniz yok.")


def _load_readable(p, raw_no: str, repo):
    no = _normalise_no(raw_no)
    case, assignments = repo.load_with_assignments(no)
    if case is None:
        raise NotFound("not_found", "Başvuru bulunamadı.")
    if not policy.can_read(p, case.district, case.province):
        raise forbidden()
    return case, assignments


# --- views -----------------------------------------------------------------------

def _assignment_view(a, storage) -> dict:
    return {
        "institution_id": a.institution.id, "institution_name": a.institution.name, "status": a.status.value,
        "dispatched_at": _iso(a.dispatched_at), "sla_due_date": a.sla_due_date.isoformat(),
        "link_generation": a.link_generation, "redirect": a.redirect, "notes": a.notes,
        "answers": [{"at": _iso(x.at), "text": x.text, "outcome": x.outcome, "responder_name": x.responder_name,
                     "responder_title": x.responder_title, "returned_note": x.returned_note,
                     "attachments": [{"id": f["id"], "filename": f["filename"],
                                      "url": storage.presigned_download(f["key"], f["filename"])}
                                     for f in x.attachments]} for x in a.answers],
    }


def _notes_view(case) -> list[dict]:
    out = []
    for n in case.notes:
        n = dict(n)
        if "text_enc" in n:
            n["text"] = security.decrypt(n.pop("text_enc"), case.application_no)
        out.append(n)
    return out


def detail(case, assignments, p, *, storage, now: datetime) -> dict:
    cat = catalog()
    today = local_date(now)
    return {
        "application_no": refs.format_application_no(case.application_no), "version": case.version,
        "status": case.status.value, "type": case.type, "type_name": cat.types[case.type]["name"],
        "category": case.category, "category_name": cat.subjects[case.category].name,
        "district": case.district, "district_name": cat.districts[case.district].name,
        "subject": case.subject, "description": case.description, "channel": case.channel,
        "location": case.location, "received_at": _iso(case.received_at), "recorded_at": _iso(case.recorded_at),
        "legal_due_date": case.legal_due_date.isoformat(), "days_left": (case.legal_due_date - today).days,
        "sla_due_date": case.sla_due_date.isoformat() if case.sla_due_date else None,
        "extended": case.extended, "confidential_identity": case.confidential_identity,
        "review_reason": case.review_reason, "not_processed_reason": case.not_processed_reason,
        "merged_into": refs.format_application_no(case.merged_into) if case.merged_into else None,
        "applicant": {"first_name": case.applicant.first_name, "last_name": case.applicant.last_name,
                      "national_id_masked": mask_national_id(case.applicant.national_id),
                      "phone_masked": mask_phone(case.applicant.phone), "email": case.applicant.email,
                      "address": case.applicant.address},
        "history": [{"at": _iso(h.at), "status": h.status.value, "note": h.note, "public": h.public,
                     "actor": h.actor, "event": h.event} for h in case.history],
        "assignments": [_assignment_view(a, storage) for a in assignments],
        "notes": _notes_view(case),
        "outcome": case.outcome, "final_answer": case.final_answer, "concluded_at": _iso(case.concluded_at),
        "allowed_actions": policy.allowed_actions(case.status, p, case.district),
    }


def get_case(p, raw_no: str, *, now, client, repo, storage) -> dict:
    case, assignments = _load_readable(p, raw_no, repo)
    record(case.application_no, actor=p.username, role=p.role, action="view", at=now, source_ip=client)
    view = detail(case, assignments, p, storage=storage, now=now)
    if view["allowed_actions"]:  # what the console's action forms offer
        settings = repo.district(case.district)
        view["district_institutions"] = [{"id": i.id, "name": i.name} for i in settings.institutions] if settings else []
        view["reason_codes"] = [{"code": k, "name": v} for k, v in policy.NOT_PROCESSED_REASONS.items()
                                if k != "merged_duplicate"]
    return view


def dashboard(p, params: dict, *, now, repo) -> dict:
    """Counts by status, this week's intake, the on-time rate and weekly volume for the
    last 12 weeks: index Queries on the district only."""
    cat = catalog()
    district = params.get("district") or p.district
    if not district or district not in cat.districts:
        raise AppError("unknown_district", "İlçe seçiniz.", field="district")
    if not policy.can_read(p, district, cat.districts[district].province):
        raise forbidden()
    today = local_date(now)
    monday = today - timedelta(days=today.weekday())
    first_week = monday - timedelta(weeks=11)
    counts = {s.value: repo.count_status(district, s.value) for s in Status}
    recent = repo.legal_due_since(district, first_week)
    weeks = {(first_week + timedelta(weeks=i)).isoformat(): 0 for i in range(12)}
    on_time = concluded = this_week = 0
    for c in recent:
        received = local_date(c.received_at)
        if received >= first_week:
            week = (received - timedelta(days=received.weekday())).isoformat()
            if week in weeks:
                weeks[week] += 1
            if received >= monday:
                this_week += 1
        if c.status == Status.CONCLUDED and c.concluded_at is not None:
            concluded += 1
            on_time += local_date(c.concluded_at) <= c.legal_due_date
    return {"district": district, "district_name": cat.districts[district].name, "counts": counts,
            "this_week_intake": this_week, "concluded_recently": concluded,
            "on_time_rate": round(on_time / concluded, 3) if concluded else None,
            "weekly_volume": [{"week": w, "count": n} for w, n in weeks.items()]}


def reveal(p, raw_no: str, *, now, client, repo) -> dict:
    case, _ = _load_readable(p, raw_no, repo)
    if not policy.can_reveal(p, case.district):
        raise forbidden()
    record(case.application_no, actor=p.username, role=p.role, action="reveal", at=now, source_ip=client,
           detail={"fields": ["national_id", "phone"]})
    return {"application_no": refs.format_application_no(case.application_no),
            "national_id": case.applicant.national_id, "phone": case.applicant.phone}


def audit_trail(p, raw_no: str, *, repo) -> dict:
    case, _ = _load_readable(p, raw_no, repo)
    if not policy.can_supervise(p, case.district):
        raise forbidden()
    return {"application_no": refs.format_application_no(case.application_no),
            "entries": trail(case.application_no)}


# --- the queue -------------------------------------------------------------------

def _encode_cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, hash_attr: str, hash_value: str) -> dict:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, dict) or key.get(hash_attr, {}).get("S") != hash_value:
            raise ValueError
        return key
    except (ValueError, TypeError, AttributeError):
        raise AppError("invalid_cursor", "Sayfa imleci geçersiz.", field="cursor") from None


def queue(p, params: dict, *, now, repo) -> dict:
    cat = catalog()
    district = params.get("district") or p.district
    if p.role == "admin":
        raise forbidden()
    if district:
        if district not in cat.districts:
            raise AppError("unknown_district", "İlçe tanınmıyor.", field="district")
        if not policy.can_read(p, district, cat.districts[district].province):
            raise forbidden()
    if params.get("application_no"):
        case, _ = _load_readable(p, params["application_no"], repo)
        return {"items": [_queue_item(case, now)], "next_cursor": None}
    status = params.get("status")
    if status is not None and status not in Status.__members__.values():
        raise AppError("invalid_status", "Durum tanınmıyor.", field="status")
    for name, allowed in (("type", cat.types), ("category", cat.subjects)):
        if params.get(name) and params[name] not in allowed:
            raise AppError(f"unknown_{name}", "Filtre değeri tanınmıyor.", field=name)
    dates = {}
    for name in ("from", "to"):
        if params.get(name):
            try:
                dates[name] = date.fromisoformat(params[name])
            except ValueError:
                raise AppError("invalid_date", "Tarih YYYY-AA-GG biçiminde olmalıdır.", field=name) from None
    try:
        limit = min(max(int(params.get("limit") or 25), 1), 100)
    except ValueError:
        raise AppError("invalid_limit", "Sayfa boyutu bir sayı olmalıdır.", field="limit") from None
    if district:
        index, hash_attr = ("by_district_status", "gsi2pk") if status else ("by_district", "gsi1pk")
        hash_value = f"D#{district}#{status}" if status else f"D#{district}"
    else:
        index, hash_attr, hash_value = "by_province", "gsi4pk", f"P#{p.province}"
    cursor = _decode_cursor(params["cursor"], hash_attr, hash_value) if params.get("cursor") else None
    items, next_key = repo.queue_page(
        index, hash_value, limit=limit, cursor=cursor, today=local_date(now),
        status=status if not district else None, case_type=params.get("type"), category=params.get("category"),
        institution=params.get("institution"), overdue=params.get("overdue") in ("1", "true"),
        received_from=dates.get("from"), received_to=dates.get("to"))
    return {"items": [_queue_item(c, now) for c in items],
            "next_cursor": _encode_cursor(next_key) if next_key else None}


def _queue_item(case, now) -> dict:
    today = local_date(now)
    open_ = not case.closed
    return {"application_no": refs.format_application_no(case.application_no), "status": case.status.value,
            "type": case.type, "category": case.category, "district": case.district, "subject": case.subject,
            "received_at": _iso(case.received_at), "legal_due_date": case.legal_due_date.isoformat(),
            "legal_days_left": (case.legal_due_date - today).days,
            "sla_due_date": case.sla_due_date.isoformat() if case.sla_due_date else None,
            "sla_days_left": (case.sla_due_date - today).days if case.sla_due_date else None,
            "overdue": open_ and (case.legal_due_date < today or bool(case.sla_due_date and case.sla_due_date < today)),
            "institutions": [i["name"] for i in case.institutions], "version": case.version}


# --- desk intake -----------------------------------------------------------------

def intake(p, data, *, now, repo, publisher_queue, idempotency_key=None) -> dict:
    req = parse(DeskApplicationIn, data)
    if not policy.can_act(p, req.district):
        raise forbidden()
    received_at = req.received_at or now
    if received_at.tzinfo is None:
        raise ValidationFailed([{"code": "invalid_datetime", "field": "received_at",
                                 "message": "Teslim alınma zamanı saat dilimi içermelidir."}])
    if received_at > now + timedelta(minutes=1):
        raise ValidationFailed([{"code": "in_future", "field": "received_at",
                                 "message": "Teslim alınma zamanı gelecekte olamaz."}])
    if received_at < now - MAX_BACKDATE:
        raise ValidationFailed([{"code": "too_old", "field": "received_at",
                                 "message": "Teslim alınma zamanı en fazla 30 gün geriye gidebilir."}])
    case, access_code = build_case(req, received_at=received_at, now=now, channel=req.channel, actor=p.username)
    from .applications import _idempotency_key, request_fingerprint
    result = record_new_case(repo, publisher_queue, case, access_code,
                             idempotency_pk=_idempotency_key(idempotency_key),
                             request_hash=request_fingerprint(data), now=now)
    return result.body


# --- actions -----------------------------------------------------------------------

def _version(req, if_match: str | None) -> int:
    if req.version is not None:
        return req.version
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"'))
        except ValueError:
            pass
    raise AppError("version_required", "Değişiklik için görülen sürüm (version ya da If-Match) gereklidir.",
                   field="version", status=428)


def _stale(case) -> Conflict:
    return Conflict("stale_version", "Başvuru siz görüntüledikten sonra değişmiş; lütfen yenileyip tekrar deneyiniz.",
                    details={"current_version": case.version, "current_status": case.status.value})


def _sms(case, event: str, template: str, **params) -> Notification:
    no = refs.format_application_no(case.application_no)
    return Notification(dedup_key(case.application_no, event, "citizen"), "sms", template, case.applicant.phone,
                        {"application_no": no, "track_url": links.track_url(no), **params})


def _act(p, raw_no, data, model, *, action: str, now, client, repo, storage, if_match=None, publisher=publish,
         apply, permission=policy.can_act):
    no = _normalise_no(raw_no)
    case, assignments = repo.load_with_assignments(no)
    if case is None:
        raise NotFound("not_found", "Başvuru bulunamadı.")
    if not policy.can_read(p, case.district, case.province) or not permission(p, case.district):
        raise forbidden()
    req = parse(model, data)
    if case.version != _version(req, if_match):
        raise _stale(case)
    outcome = apply(req, case, assignments) or {}
    audit = audit_item(no, actor=p.username, role=p.role, action=action, at=now, source_ip=client,
                       detail=outcome.get("audit"))
    try:
        repo.commit(case, outcome.get("changed", []), audit=audit, new_assignments=outcome.get("new"),
                    others=outcome.get("others"))
    except repo.StaleCase:
        fresh, _ = repo.load_with_assignments(no)
        raise _stale(fresh) from None
    publisher(outcome.get("notify", []))
    return detail(case, assignments + outcome.get("new", []), p, storage=storage, now=now)


def triage(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        if case.closed:
            raise Conflict("case_closed", "Sonuçlanmış başvuruda değişiklik yapılamaz.",
                           details={"current_status": case.status.value})
        changes = []
        if req.type and req.type != case.type:
            changes.append(f"tür {case.type} → {req.type}")
            case.type = req.type
            law = catalog().law_of(req.type)
            if law != case.law:
                case.law, case.extended = law, False
                case.legal_due_date = default_calendar().legal_due(law, case.receipt_date)
        if req.category and req.category != case.category:
            changes.append(f"konu {case.category} → {req.category}")
            case.category = req.category
        if not changes:
            raise Conflict("nothing_to_change", "Tür ya da konu değişmiyor.")
        case.add_note(now, f"Sınıflandırma değişti ({', '.join(changes)}): {req.reason}", actor=p.username, event="triage")
        return {"audit": {"changes": changes}}
    return _act(p, raw_no, data, TriageIn, action="triage", apply=apply, **kw)


def forward(p, raw_no, data, **kw):
    now, repo = kw["now"], kw["repo"]

    def apply(req, case, assignments):
        settings = repo.district(case.district)
        chosen, errors = [], []
        for i, inst_id in enumerate(req.institution_ids):
            inst = settings.by_id(inst_id) if settings else None
            if inst is None:
                errors.append({"code": "unknown_institution", "field": f"institution_ids.{i}",
                               "message": "Kurum bu ilçede tanımlı değil."})
            elif inst not in chosen:
                chosen.append(inst)
        if errors:
            raise ValidationFailed(errors)
        active = {a.institution.id for a in assignments if a.status != AssignmentStatus.REDIRECTED}
        fresh = [i for i in chosen if i.id not in active]
        if not fresh:
            raise Conflict("already_assigned", "Seçilen kurumlar bu başvuruya zaten atanmış.")
        new = routing.forward(case, fresh, now=now, actor=p.username, existing=assignments)
        if req.note:
            case.add_note(now, req.note, actor=p.username, event="note")
        notes = routing.forward_notifications(case, case.forwards, new)
        return {"new": new, "notify": notes, "audit": {"institutions": [i.id for i in fresh]}}
    return _act(p, raw_no, data, ForwardIn, action="forward", apply=apply, **kw)


def not_processed(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        reason = policy.NOT_PROCESSED_REASONS[req.reason_code]
        case.transition(Status.NOT_PROCESSED, now, actor=p.username, event="not_processed",
                        note=f"Başvurunuz işleme alınamadı. Gerekçe: {reason}. {req.explanation}")
        case.not_processed_reason = req.reason_code
        case.sla_due_date = None
        return {"notify": [_sms(case, "not_processed", "not_processed")], "audit": {"reason": req.reason_code}}
    return _act(p, raw_no, data, NotProcessedIn, action="not_processed", apply=apply, **kw)


def merge(p, raw_no, data, **kw):
    now, repo = kw["now"], kw["repo"]

    def apply(req, case, assignments):
        into_no = _normalise_no(req.into)
        target, _ = repo.load_with_assignments(into_no)
        if target is None or target.application_no == case.application_no:
            raise ValidationFailed([{"code": "unknown_case", "field": "into",
                                     "message": "Birleştirilecek başvuru bulunamadı."}])
        if not policy.can_act(p, target.district):
            raise forbidden()
        if target.applicant.national_id != case.applicant.national_id:
            raise ValidationFailed([{"code": "different_applicant", "field": "into",
                                     "message": "Yalnızca aynı başvuru sahibinin başvuruları birleştirilebilir."}])
        if target.received_at > case.received_at:
            raise ValidationFailed([{"code": "not_earlier", "field": "into",
                                     "message": "Başvuru ancak daha önceki bir başvuruyla birleştirilebilir."}])
        target_no = refs.format_application_no(into_no)
        case.transition(Status.NOT_PROCESSED, now, actor=p.username, event="merged",
                        note=f"Başvurunuz aynı konudaki {target_no} numaralı önceki başvurunuzla birleştirildi; "
                             f"süreç o başvuru üzerinden yürütülecek.")
        case.not_processed_reason, case.merged_into = "merged_duplicate", into_no
        case.sla_due_date = None
        target.add_note(now, f"{refs.format_application_no(case.application_no)} numaralı başvuru bununla "
                               f"birleştirildi: {req.explanation}", actor=p.username, event="merged_in")
        return {"others": [target], "notify": [_sms(case, "merged", "not_processed")],
                "audit": {"merged_into": into_no}}
    return _act(p, raw_no, data, MergeIn, action="merge", apply=apply, **kw)


def request_info(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        n = sum(1 for h in case.history if h.event == "information_requested") + 1
        case.transition(Status.AWAITING_APPLICANT, now, actor=p.username, event="information_requested",
                        note=f"Sizden ek bilgi isteniyor: {req.message}")
        return {"notify": [_sms(case, f"information-requested-{n}", "information_requested")]}
    return _act(p, raw_no, data, RequestInfoIn, action="request_info", apply=apply, **kw)


def evaluate(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        a = next((x for x in assignments if x.institution.id == req.institution_id), None)
        if a is None:
            raise ValidationFailed([{"code": "unknown_institution", "field": "institution_id",
                                     "message": "Bu kurum başvuruya atanmamış."}])
        if a.status != AssignmentStatus.ANSWERED:
            raise Conflict("not_answered", "Bu kurumun değerlendirilecek bir cevabı yok.",
                           details={"current_status": a.status.value})
        if req.decision == "accept":
            a.notes.append({"at": _iso(now), "by": p.username, "kind": "accepted", "text": req.note or ""})
            if case.status == Status.INSTITUTION_ANSWERED:
                case.transition(Status.UNDER_EVALUATION, now, actor=p.username, event="evaluation")
            return {"changed": [a], "audit": {"institution": a.institution.id, "decision": "accept"}}
        if not req.note or len(req.note) < 10:
            raise ValidationFailed([{"code": "note_required", "field": "note",
                                     "message": "İade için en az 10 karakterlik bir not yazınız."}])
        a.status = AssignmentStatus.RETURNED
        a.answers[-1].returned_note = req.note
        a.notes.append({"at": _iso(now), "by": p.username, "kind": "returned", "text": req.note})
        case.transition(Status.FORWARDED, now, actor=p.username, event="returned", public=False,
                        note=f"{a.institution.name} cevabı iade edildi: {req.note}")
        case.refresh_sla(assignments)
        district = catalog().districts[case.district]
        mail = Notification(dedup_key(case.application_no, f"returned-{len(a.answers)}", a.institution.id),
                            "email", "institution_returned", a.institution.liaison_email,
                            {"application_no": refs.format_application_no(case.application_no),
                             "note": req.note, "link": links.institution_link(a), "district_name": district.name})
        return {"changed": [a], "notify": [mail], "audit": {"institution": a.institution.id, "decision": "return"}}
    return _act(p, raw_no, data, EvaluateIn, action="evaluate", apply=apply, **kw)


def interim_answer(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        if case.closed:
            raise Conflict("case_closed", "Sonuçlanmış başvuruya ara cevap verilemez.",
                           details={"current_status": case.status.value})
        n = sum(1 for h in case.history if h.event == "interim_answer") + 1
        case.history.append(HistoryEntry(now, case.status, f"Ara bilgi: {req.text}", True, p.username,
                                         "interim_answer"))
        return {"notify": [_sms(case, f"interim-{n}", "interim_answer", text=req.text)]}
    return _act(p, raw_no, data, InterimIn, action="interim_answer", apply=apply, **kw)


def conclude(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        n = sum(1 for h in case.history if h.event == "concluded") + 1
        case.transition(Status.CONCLUDED, now, actor=p.username, event="concluded")
        case.outcome, case.final_answer, case.concluded_at = req.outcome, req.answer, now
        case.sla_due_date = None
        no = refs.format_application_no(case.application_no)
        survey = links.survey_url(case, now)
        notes = [_sms(case, f"concluded-{n}", "concluded", survey_url=survey)]
        if case.applicant.email:
            notes.append(Notification(dedup_key(case.application_no, f"concluded-{n}", "citizen-email"), "email",
                                      "concluded", case.applicant.email,
                                      {"application_no": no, "first_name": case.applicant.first_name,
                                       "last_name": case.applicant.last_name, "answer": req.answer,
                                       "track_url": links.track_url(no), "survey_url": survey}))
        return {"notify": notes, "audit": {"outcome": req.outcome}}
    return _act(p, raw_no, data, ConcludeIn, action="conclude", apply=apply, **kw)


def reopen(p, raw_no, data, **kw):
    now = kw["now"]

    def apply(req, case, assignments):
        closed_at = case.concluded_at or next((h.at for h in reversed(case.history)
                                               if h.status == Status.NOT_PROCESSED), None)
        if closed_at and now - closed_at > timedelta(days=policy.REOPEN_WINDOW_DAYS):
            raise Conflict("reopen_window_closed", "Başvuru ancak kapanışından sonraki 30 gün içinde yeniden açılabilir.")
        target = Status.UNDER_EVALUATION if case.status == Status.CONCLUDED else Status.IN_REVIEW
        case.transition(target, now, actor=p.username, event="reopened",
                        note="Başvurunuz yeniden değerlendirmeye alındı.")
        case.add_note(now, f"Yeniden açma gerekçesi: {req.reason}", actor=p.username, event="note")
        case.not_processed_reason = case.merged_into = None
        return {"audit": {"reason_length": len(req.reason)}}
    return _act(p, raw_no, data, ReopenIn, action="reopen", apply=apply, permission=policy.can_supervise, **kw)


def revoke_link(p, raw_no, data, **kw):
    from .institution import reissue_link

    def apply(req, case, assignments):
        a = next((x for x in assignments if x.institution.id == req.institution_id), None)
        if a is None:
            raise ValidationFailed([{"code": "unknown_institution", "field": "institution_id",
                                     "message": "Bu kurum başvuruya atanmamış."}])
        if case.closed:
            raise Conflict("case_closed", "Kapalı başvuruda bağlantı yenilenemez.")
        mail = reissue_link(case, a, catalog().districts[case.district].name)
        return {"changed": [a], "notify": [mail], "audit": {"institution": a.institution.id,
                                                           "generation": a.link_generation}}
    return _act(p, raw_no, data, RevokeLinkIn, action="revoke_link", apply=apply, **kw)


# --- the citizen's reply to an information request --------------------------------

def citizen_reply(raw_no: str, access_code: str | None, data, *, client: str, now, repo) -> dict:
    from ..domain.schemas import CitizenReplyIn
    from .applications import citizen_action, public_view
    req = parse(CitizenReplyIn, data)

    def apply(case, no):
        if case.status != Status.AWAITING_APPLICANT:
            raise Conflict("not_awaiting_reply", "Bu başvuru için sizden bilgi beklenmiyor.",
                           details={"current_status": case.status.value})
        case.notes.append({"at": _iso(now), "kind": "citizen_reply", "by": "citizen",
                           "text_enc": security.encrypt(req.text, no)})
        case.transition(Status.IN_REVIEW, now, actor="citizen", event="citizen_reply",
                        note="Ek bilginiz alındı; başvurunuz incelemeye devam ediyor.")

    return public_view(citizen_action(raw_no, access_code, action="reply", client=client, now=now, repo=repo,
                                      apply=apply), now)
