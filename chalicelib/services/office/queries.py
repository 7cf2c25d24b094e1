"""The office's reads: the queue, case detail, the dashboard, the audited reveal and
the audit trail."""
from __future__ import annotations

from datetime import date, timedelta

from ...domain import nearby, numbers
from ...domain import office as policy
from ...domain import offices as O
from ...domain.assignment import resolve
from ...domain.audit import AuditEntry
from ...domain.calendar import iso_local, local_date
from ...domain.case import OPEN_STATUSES, Status
from ...domain.catalog import catalog
from ...domain.errors import AppError, NotFound, forbidden
from ...domain.stats import DistrictStats
from .. import reference
from ..ports import InvalidCursor, Ports, QueueQuery
from .case_detail import detail, queue_item


def normalise_no(raw: str) -> str:
    no = numbers.normalise_application_no(raw)
    if no is None:
        raise AppError("invalid_application_no", "Başvuru numarası hatalı yazılmış.", field="application_no")
    return no


def load_readable(ports: Ports, p, raw_no: str):
    no = normalise_no(raw_no)
    case, assignments = ports.cases.load_with_assignments(no)
    if case is None:
        raise NotFound("not_found", "Başvuru bulunamadı.")
    if not policy.can_read(p, case.office, case.province):
        raise forbidden()
    return case, assignments


def get_case(ports: Ports, p, raw_no: str, *, client: str) -> dict:
    now = ports.clock.now()
    case, assignments = load_readable(ports, p, raw_no)
    ports.audit.record(AuditEntry(case.application_no, p.username, p.role, "view", now, client))
    view = detail(ports, case, assignments, p, now=now)
    if view["allowed_actions"]:  # what the console's action forms offer
        place = reference.place(ports, case.district)
        province = reference.place(ports, O.province_wide(case.province))
        choices = [*place.institutions, *(i for i in province.institutions if i.id not in {x.id for x in
                                                                                         place.institutions})]
        view["district_institutions"] = [{"id": i.id, "name": i.name, "kind": i.kind, "confirmed": i.confirmed}
                                         for i in choices if i.active]
        # what routing's rules name as competent for the subject: the console ticks them first
        subject = catalog().subjects.get(case.category)
        kinds = reference.office(ports, case.office).kinds_for(subject) if subject else ()
        view["suggested_institution_ids"] = [i.id for i in resolve(kinds, place, province).institutions
                                             if i.reachable]
        view["reason_codes"] = [{"code": k, "name": v} for k, v in policy.NOT_PROCESSED_REASONS.items()
                                if k != "unverified_identity" or policy.identity_unverified_online(case)]
        view["referral_grounds"] = [{"code": k, "name": f"{name} ({source})", "institution_kind": kind}
                                    for k, (name, source, kind) in policy.REFERRAL_GROUNDS.items()]
        if "extend" in view["allowed_actions"]:
            view["extension_grounds"] = [{"code": k, "name": v} for k, v in policy.EXTENSION_GROUNDS.items()]
    return view


def same_applicant(ports: Ports, p, raw_no: str, *, client: str) -> dict:
    """The applicant's other applications, across the districts the clerk may read: one
    Query of the national-id HMAC index, audited. Nothing of a confidential reporter's
    other applications is joined to them."""
    case, _ = load_readable(ports, p, raw_no)
    now = ports.clock.now()
    if not case.applicant.national_id:
        return {"applications": []}
    rows = [c for c in ports.cases.applicant_rows(ports.keys.national_id_hash(case.applicant.national_id))
            if c.application_no != case.application_no and policy.can_read(p, c.office, c.province)]
    states = ports.cases.case_states({c.application_no for c in rows}) if rows else {}
    rows = [c for c in rows if c.application_no in states]
    ports.audit.record(AuditEntry(case.application_no, p.username, p.role, "applicant_lookup", now, client,
                                  {"found": len(rows)}))
    cat = catalog()
    return {"applications": [{"application_no": numbers.format_application_no(c.application_no), "subject": c.subject,
                              "category_name": cat.subjects[c.category].name if c.category in cat.subjects else c.category,
                              "district": c.district, "status": states[c.application_no][0].value,
                              "received_at": iso_local(c.received_at),
                              "concluded_at": iso_local(states[c.application_no][1])} for c in rows]}


def related(ports: Ports, p, raw_no: str) -> dict:
    """Open cases of other applicants near this one (domain/nearby.py): "ilgili olabilir".
    Nothing when the case has no location or is closed; one Query of the open-cases index
    and one batched read of the candidates otherwise."""
    case, _ = load_readable(ports, p, raw_no)
    if not case.location or case.closed:
        return {"applications": [], "radius_m": nearby.RADIUS_M, "days": nearby.RELATED_DAYS}
    c = case.geocell or nearby.cell(case.location["lat"], case.location["lon"])
    candidates = ports.cases.open_cases_near(case.office, case.category, nearby.neighbours(c),
                                             case.received_at - timedelta(days=nearby.RELATED_DAYS))
    return {"radius_m": nearby.RADIUS_M, "days": nearby.RELATED_DAYS, "applications": [
        {"application_no": numbers.format_application_no(o.application_no), "subject": o.subject,
         "status": o.status.value, "received_at": iso_local(o.received_at), "distance_m": d,
         "version": o.version,
         "institutions": sorted({i["id"] for i in o.institutions})}
        for o, d in nearby.related(case, candidates)]}


def dashboard(ports: Ports, p, params: dict) -> dict:
    """Counts by status, this week's intake, the on-time rate and weekly volume for the
    last 12 weeks, of one office (`district`: its code): one item."""
    cat = catalog()
    district = _office_param(p, params)
    if not district:
        raise AppError("unknown_district", "Büro seçiniz.", field="district")
    if not policy.can_read(p, district, cat.offices[district].province or ""):
        raise forbidden()
    today = local_date(ports.clock.now())
    stats = ports.statistics.district(district)      # one item, kept in each change's transaction
    return {"district": district, "district_name": cat.offices[district].name, **_summary(stats, today)}


OPEN = tuple(s.value for s in OPEN_STATUSES)


def _summary(stats, today) -> dict:
    """An office's figures from its counters: counts by status, open cases, this week's
    intake, conclusions and the on-time rate of the last 12 weeks, the weekly volume."""
    monday = today - timedelta(days=today.weekday())
    first_week = monday - timedelta(weeks=11)
    counts = {s.value: max(stats.status.get(s.value, 0), 0) for s in Status}
    weeks = [(first_week + timedelta(weeks=i)).isoformat() for i in range(12)]
    concluded = sum(stats.concluded.get(w, 0) for w in weeks)
    on_time = sum(stats.on_time.get(w, 0) for w in weeks)
    return {"counts": counts, "open": sum(counts[s] for s in OPEN),
            "this_week_intake": stats.intake.get(monday.isoformat(), 0), "concluded_recently": concluded,
            "on_time_recently": on_time, "on_time_rate": round(on_time / concluded, 3) if concluded else None,
            "weekly_volume": [{"week": w, "count": stats.intake.get(w, 0)} for w in weeks]}


def province_dashboard(ports: Ports, p, params: dict) -> dict:
    """A province's totals and a row per office, from the offices' counters: one
    BatchGetItem for up to 100 offices, so what is read grows with the offices, never
    with the cases. A province admin reads their own province; a national admin any."""
    cat = catalog()
    province = params.get("province") or p.province
    if p.role not in ("province", "admin"):
        raise forbidden()
    names = {x["code"]: x["name"] for x in cat.provinces}
    if province not in names:
        raise AppError("unknown_province", "İl tanınmıyor.", field="province")
    if p.role == "province" and province != p.province:
        raise forbidden()
    offices = [o for o in cat.offices.values() if o.province == province]   # the catalogue's order: valilik first
    today = local_date(ports.clock.now())
    found = ports.statistics.districts([o.code for o in offices])
    summaries = [(o, _summary(found.get(o.code) or DistrictStats(), today)) for o in offices]
    rows = [{"office": o.code, "office_name": o.name, "counts": x["counts"],
             **{k: x[k] for k in ("open", "this_week_intake", "concluded_recently", "on_time_rate")}}
            for o, x in summaries]
    concluded = sum(x["concluded_recently"] for _, x in summaries)
    on_time = sum(x["on_time_recently"] for _, x in summaries)
    totals = {"open": sum(r["open"] for r in rows), "this_week_intake": sum(r["this_week_intake"] for r in rows),
              "concluded_recently": concluded, "on_time_rate": round(on_time / concluded, 3) if concluded else None,
              "offices": len(rows)}
    return {"province": province, "province_name": names[province], "totals": totals, "rows": rows}


def reveal(ports: Ports, p, raw_no: str, *, client: str) -> dict:
    case, _ = load_readable(ports, p, raw_no)
    if not policy.can_reveal(p, case.office):
        raise forbidden()
    ports.audit.record(AuditEntry(case.application_no, p.username, p.role, "reveal", ports.clock.now(), client,
                                  {"fields": ["national_id", "phone"]}))
    return {"application_no": numbers.format_application_no(case.application_no),
            "national_id": case.applicant.national_id, "phone": case.applicant.phone}


def audit_trail(ports: Ports, p, raw_no: str) -> dict:
    case, _ = load_readable(ports, p, raw_no)
    if not policy.can_supervise(p, case.office):
        raise forbidden()
    return {"application_no": numbers.format_application_no(case.application_no),
            "entries": ports.audit.trail(case.application_no)}


def queue_query(params: dict, *, district, province, limit: int, today) -> QueueQuery:
    """The queue's filters from the query string, each checked (the queue and the export)."""
    cat = catalog()
    status = params.get("status")
    if status is not None and status not in Status.__members__.values():
        raise AppError("invalid_status", "Durum tanınmıyor.", field="status")
    for name, allowed in (("type", cat.types), ("category", cat.subjects)):
        if params.get(name) and params[name] not in allowed:
            raise AppError(f"unknown_{name}", "Filtre değeri tanınmıyor.", field=name)
    dates: dict[str, date] = {}
    for name in ("from", "to"):
        if params.get(name):
            try:
                dates[name] = date.fromisoformat(params[name])
            except ValueError:
                raise AppError("invalid_date", "Tarih YYYY-AA-GG biçiminde olmalıdır.", field=name) from None
    return QueueQuery(district=district, province=province, limit=limit, today=today, status=status,
                      case_type=params.get("type"), category=params.get("category"),
                      institution=params.get("institution"), overdue=params.get("overdue") in ("1", "true"),
                      received_from=dates.get("from"), received_to=dates.get("to"),
                      cursor=params.get("cursor") or None)


def _office_param(p, params: dict) -> str | None:
    """The office a queue or dashboard is asked for (`district`: an office's code; a
    kaymakamlık has its district's), the staff member's own by default, and the national
    queue for a national admin."""
    code = params.get("district") or p.district or (O.NATIONAL if p.role == "admin" else None)
    if code and code not in catalog().offices:
        raise AppError("unknown_district", "Büro tanınmıyor.", field="district")
    return code


def queue(ports: Ports, p, params: dict) -> dict:
    now = ports.clock.now()
    cat = catalog()
    district = _office_param(p, params)
    if district:
        if not policy.can_read(p, district, cat.offices[district].province or ""):
            raise forbidden()
    elif p.role != "province":
        raise forbidden()
    if params.get("application_no"):
        case, _ = load_readable(ports, p, params["application_no"])
        return {"items": [queue_item(case, now)], "next_cursor": None}
    try:
        limit = min(max(int(params.get("limit") or 25), 1), 100)
    except ValueError:
        raise AppError("invalid_limit", "Sayfa boyutu bir sayı olmalıdır.", field="limit") from None
    query = queue_query(params, district=district or None, province=None if district else p.province, limit=limit,
                        today=local_date(now))
    try:
        items, next_cursor = ports.cases.queue_page(query)
    except InvalidCursor:
        raise AppError("invalid_cursor", "Sayfa imleci geçersiz.", field="cursor") from None
    return {"items": [queue_item(c, now) for c in items], "next_cursor": next_cursor,
            "partial": next_cursor is not None and len(items) < limit}
