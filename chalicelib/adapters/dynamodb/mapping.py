"""Domain objects <-> DynamoDB items.

Personal data is sealed here, at the boundary: the applicant block and the description
are stored AES-GCM encrypted (bound to the application number), and the national id
is kept only as a keyed hash besides that.
"""
from __future__ import annotations

import json
import secrets
import zlib
from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from ...config import settings
from ...domain import retention, sweeps
from ...domain.assignment import (
    Answer,
    Assignment,
    AssignmentStatus,
    DistrictSettings,
    Institution,
)
from ...domain.calendar import ISTANBUL, default_calendar, local_date
from ...domain.case import Applicant, Case, HistoryEntry, Status
from ...domain.idempotency import IdempotencyRecord
from ...domain.offices import Office
from ...domain.otp import pair_fingerprint
from ...domain.repeats import ApplicantRow
from ...domain.retention import add_years
from . import itemkeys as K
from .models import (
    AnswerMap,
    AssignmentItem,
    AuditItem,
    CaseItem,
    DistrictRefItem,
    IdempotencyItem,
    OfficeItem,
    InstitutionMap,
    SurveyItem,
)

if TYPE_CHECKING:
    from ...domain.audit import AuditEntry
    from ...domain.surveys import SurveyAnswer


def plain(value):
    """A raw pynamodb map (or list of them) as plain Python values."""
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def case_to_item(case: Case, keys) -> CaseItem:
    pk, sk = K.case_key(case.application_no)
    due = case.legal_due_date.isoformat() if case.legal_due_date else None
    applicant = json.dumps(asdict(case.applicant), ensure_ascii=False)
    sort = K.due_sort_key(due or K.NO_DUE_DATE, case.application_no)   # a thanks sorts last
    nid_hash = keys.national_id_hash(case.applicant.national_id) if case.anonymised_at is None else None
    item = CaseItem(
        pk, sk,
        application_no=case.application_no,
        access_hash=case.access_code_hash,
        case_type=case.type, law=case.law, category=case.category,
        district=case.district, province=case.province, subject=case.subject, office=case.office,
        description_enc=keys.seal(case.description, case.application_no) if case.anonymised_at is None else "",
        applicant_enc=keys.seal(applicant, case.application_no) if case.anonymised_at is None else "",
        channel=case.channel,
        received_at=case.received_at.isoformat(),
        receipt_date=case.receipt_date.isoformat(),
        legal_due_date=due,
        status=case.status.value,
        confidential=case.confidential_identity,
        location_enc=keys.seal(json.dumps(case.location), case.application_no) if case.location else None,
        place_enc=(keys.seal(json.dumps(case.place, ensure_ascii=False), case.application_no)
                   if case.place and case.anonymised_at is None else None),
        log_z=_pack_log(case),
        extended=case.extended,
        outcome=case.outcome, final_answer=case.final_answer,
        concluded_at=_iso(case.concluded_at), recorded_at=_iso(case.recorded_at),
        forwards=case.forwards, institutions=list(case.institutions), review_reason=case.review_reason,
        institution_ids=[i["id"] for i in case.institutions] or None,
        sla_due_date=_iso(case.sla_due_date),
        np_reason=case.not_processed_reason, merged_into=case.merged_into,
        legal_warned_for=case.legal_warned_for, extension_warned=case.extension_warned,
        objected_at=_iso(case.objected_at),
        legal_remedies=case.legal_remedies,
        reopened_on=_iso(case.reopened_on),
        partner_id=case.partner["id"] if case.partner else None,
        partner_name=case.partner["name"] if case.partner else None,
        media_url=case.media_url,
        legal_hold=dict(case.legal_hold) if case.legal_hold else None,
        anonymised_at=_iso(case.anonymised_at),
        phone_verified=case.phone_verified, identity_verification=case.identity_verification,
        citizen_files=list(case.citizen_files) or None,
        possible_repeat=dict(case.possible_repeat) if case.possible_repeat else None,
        referral=dict(case.referral) if case.referral else None,
        geocell=case.geocell, text_sketch=case.text_sketch,
        # the pair the case is kept under (a destruction reads the case without decrypting it)
        pair_fp=(pair_of(case.applicant, keys) or case.stored_pair) if case.anonymised_at is None else None,
        repeat_of=(case.possible_repeat["of"] if case.possible_repeat and not case.possible_repeat.get("dismissed")
                   and not case.closed else None),
    )
    if nid_hash is not None:   # an anonymised case can no longer be found by the person's id
        item.gsi3pk, item.gsi3sk = K.applicant_index_pk(nid_hash), case.received_at.isoformat()
    if not case.closed:   # the open-case indexes: closed history never sits in the open queue
        item.gsi1pk, item.gsi1sk = K.district_index_pk(case.office), sort
        item.gsi4pk, item.gsi4sk = K.province_index_pk(case.province), sort
    else:   # closed history by status; an open case's status changes would each move an index copy
        item.gsi2pk, item.gsi2sk = K.district_status_pk(case.office, case.status.value), sort
    if case.partner:   # a partner follows its requests by their last public change
        item.gsi5pk = K.partner_index_pk(case.partner["id"])
        item.gsi5sk = K.partner_sort_key(case.updated_at.astimezone(timezone.utc).isoformat(), case.application_no)
    slot = sweeps.case_slot(case, default_calendar())
    if slot is not None:   # not routed yet (the re-route sweep), or its next warning
        kind, at = slot
        item.sweep_pk = K.sweep_pk(kind, sweeps.shard_of(case.application_no))
        item.sweep_sk = sweeps.sweep_key(at, case.application_no)
    elif case.closed and case.anonymised_at is None and not case.legal_hold and case.closed_at is not None:
        # KVKK: the destruction sweep finds the file on the day its retention ends
        end = retention.add_years(local_date(case.closed_at), settings().retention_years)
        item.sweep_pk = K.sweep_pk(sweeps.RETENTION_KIND, sweeps.shard_of(case.application_no))
        item.sweep_sk = sweeps.sweep_key(datetime(end.year, end.month, end.day, tzinfo=ISTANBUL), case.application_no)
    if case.version is not None:
        item.version = case.version
    return item


def _location(item: CaseItem, keys) -> dict | None:
    if item.location_enc:
        return json.loads(keys.unseal(item.location_enc, item.application_no))
    return plain(item.location) if item.location is not None else None


def _pack_log(case: Case) -> bytes:
    log = {"h": [[h.at.isoformat(), h.status.value, h.note, h.public, h.actor, h.event] for h in case.history],
           "n": case.notes, "f": case.final_answers}
    return zlib.compress(json.dumps(log, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 9)


def _unpack_log(item: CaseItem) -> tuple[list, list, list]:
    """(history, notes, final answers), from log_z or, for items written before it, from
    the attributes they had."""
    if item.log_z:
        log = json.loads(zlib.decompress(item.log_z).decode("utf-8"))
        history = [HistoryEntry(datetime.fromisoformat(at), Status(status), note, public, actor, event)
                   for at, status, note, public, actor, event in log["h"]]
        return history, log["n"], log["f"]
    history = [HistoryEntry(datetime.fromisoformat(h.at), Status(h.status), h.note, h.public, h.actor, h.event)
               for h in item.history or []]
    finals = [plain(a) for a in item.final_answers or []] or _legacy_final_answer(item)
    return history, [plain(n) for n in item.notes or []], finals


def case_from_item(item: CaseItem, keys, *, with_personal_data: bool = True) -> Case:
    no = item.application_no
    history, notes, final_answers = _unpack_log(item)
    if with_personal_data and not item.anonymised_at:
        applicant = Applicant(**json.loads(keys.unseal(item.applicant_enc, no)))
        description = keys.unseal(item.description_enc, no)
    else:  # tracking and the queue need neither; skip the decryption
        applicant = Applicant("", "", "", "", "")
        description = ""
    return Case(
        application_no=no, access_code_hash=item.access_hash, type=item.case_type, law=item.law,
        category=item.category, district=item.district, province=item.province, subject=item.subject,
        office=item.office or item.district,
        description=description, applicant=applicant, channel=item.channel,
        received_at=datetime.fromisoformat(item.received_at),
        receipt_date=date.fromisoformat(item.receipt_date),
        legal_due_date=date.fromisoformat(item.legal_due_date) if item.legal_due_date else None,
        status=Status(item.status), confidential_identity=bool(item.confidential),
        location=_location(item, keys) if with_personal_data and not item.anonymised_at else None,
        place=(json.loads(keys.unseal(item.place_enc, no))
               if item.place_enc and with_personal_data and not item.anonymised_at else None),
        history=history,
        version=item.version, extended=bool(item.extended), outcome=item.outcome,
        final_answer=item.final_answer,
        concluded_at=_dt(item.concluded_at), recorded_at=_dt(item.recorded_at),
        forwards=int(item.forwards or 0),
        institutions=[plain(i) for i in item.institutions or []],
        review_reason=item.review_reason,
        notes=notes,
        sla_due_date=date.fromisoformat(item.sla_due_date) if item.sla_due_date else None,
        not_processed_reason=item.np_reason, merged_into=item.merged_into,
        legal_warned_for=item.legal_warned_for, extension_warned=bool(item.extension_warned),
        objected_at=_dt(item.objected_at),
        final_answers=final_answers,
        legal_remedies=item.legal_remedies,
        reopened_on=date.fromisoformat(item.reopened_on) if item.reopened_on else None,
        partner={"id": item.partner_id, "name": item.partner_name or ""} if item.partner_id else None,
        media_url=item.media_url,
        legal_hold=plain(item.legal_hold) if item.legal_hold else None,
        anonymised_at=_dt(item.anonymised_at),
        phone_verified=bool(item.phone_verified), identity_verification=item.identity_verification,
        citizen_files=[plain(f) for f in item.citizen_files or []],
        possible_repeat=plain(item.possible_repeat) if item.possible_repeat else None,
        referral=plain(item.referral) if item.referral else None,
        geocell=item.geocell, text_sketch=item.text_sketch,
        stored_status=Status(item.status),
        stored_pair=item.pair_fp,
    )


def pair_of(applicant: Applicant, keys) -> str | None:
    """The (national id, phone) fingerprint a case is kept under; None without personal data."""
    if not applicant.national_id or not applicant.phone:
        return None
    return pair_fingerprint(keys, applicant.national_id, applicant.phone)


def queue_case_from_item(item: CaseItem) -> Case:
    """A case as an index copy holds it (dynamo.QUEUE_ATTRIBUTES): what a queue row, the
    digest and the counters' rebuild need; nothing else is there."""
    return Case(
        application_no=item.application_no, access_code_hash="", type=item.case_type, law="",
        category=item.category, district=item.district, province=item.province, subject=item.subject,
        office=item.office or item.district,
        description="", applicant=Applicant("", "", "", "", ""),
        received_at=datetime.fromisoformat(item.received_at), receipt_date=date.min,
        legal_due_date=date.fromisoformat(item.legal_due_date) if item.legal_due_date else None,
        status=Status(item.status), institutions=[plain(i) for i in item.institutions or []],
        sla_due_date=date.fromisoformat(item.sla_due_date) if item.sla_due_date else None,
        concluded_at=_dt(item.concluded_at), stored_status=Status(item.status),
        channel=item.channel or "",
        partner={"id": "", "name": item.partner_name} if item.partner_name else None,
        possible_repeat={"of": item.repeat_of} if item.repeat_of else None, outcome=item.outcome,
        geocell=item.geocell, text_sketch=item.text_sketch)


def applicant_row_from_item(item: CaseItem):
    """A case as the applicant index holds it (dynamo.APPLICANT_ATTRIBUTES)."""
    return ApplicantRow(item.application_no, item.case_type, item.category, item.district, item.province,
                        item.subject, datetime.fromisoformat(item.received_at), item.text_sketch,
                        item.office or item.district)


def _legacy_final_answer(item: CaseItem) -> list[dict]:
    """Items concluded before every final answer was kept carry only the current one."""
    if not item.final_answer:
        return []
    return [{"n": 1, "at": item.concluded_at, "by": None, "outcome": item.outcome, "answer": item.final_answer,
             "legal_remedies": None}]


def assignment_to_item(a: Assignment, district: str) -> AssignmentItem:
    pk, sk = K.assignment_key(a.application_no, a.institution.id)
    item = AssignmentItem(
        pk, sk, application_no=a.application_no, district=district, institution_id=a.institution.id,
        institution_kind=a.institution.kind, institution_name=a.institution.name,
        liaison_email=a.institution.liaison_email, send_method=a.institution.send_method,
        endpoint=a.institution.endpoint, inbox_digest=a.institution.inbox_digest or None, status=a.status.value,
        dispatched_at=a.dispatched_at.isoformat(), sla_due_date=a.sla_due_date.isoformat(),
        forward_id=a.forward_id, link_generation=a.link_generation,
        answers=[AnswerMap(at=x.at.isoformat(), text=x.text, outcome=x.outcome, responder_name=x.responder_name,
                           responder_title=x.responder_title, attachments=x.attachments,
                           returned_note=x.returned_note) for x in a.answers],
        notes=list(a.notes), reminded_for=a.reminded_for, redirect=a.redirect, subject=a.subject,
        contact_shared=a.contact_shared,
    )
    pending = sweeps.assignment_next(a, default_calendar())
    if pending is not None:
        item.sweep_pk = K.sweep_pk(sweeps.ASSIGNMENT_KIND, sweeps.shard_of(a.id))
        item.sweep_sk = sweeps.sweep_key(pending[1], a.id)
    if a.is_open:      # the institution's inbox lists what it still owes
        item.gsi6pk = K.institution_inbox_pk(a.institution.id)
        item.gsi6sk = K.institution_inbox_sk(a.sla_due_date.isoformat(), a.application_no)
    if a.version is not None:
        item.version = a.version
    return item


def assignment_from_item(item: AssignmentItem) -> Assignment:
    return Assignment(
        application_no=item.application_no,
        institution=Institution(item.institution_id, item.institution_kind, item.institution_name,
                                item.liaison_email, send_method=item.send_method or "email_link",
                                endpoint=item.endpoint, inbox_digest=bool(item.inbox_digest)),
        status=AssignmentStatus(item.status), dispatched_at=datetime.fromisoformat(item.dispatched_at),
        sla_due_date=date.fromisoformat(item.sla_due_date), forward_id=int(item.forward_id),
        link_generation=int(item.link_generation or 1),
        answers=[Answer(datetime.fromisoformat(x.at), x.text, x.outcome, x.responder_name, x.responder_title,
                        [plain(att) for att in x.attachments or []], x.returned_note) for x in item.answers or []],
        notes=[plain(n) for n in item.notes or []], reminded_for=item.reminded_for,
        version=item.version, redirect=plain(item.redirect) if item.redirect is not None else None,
        subject=item.subject or "",
        contact_shared=plain(item.contact_shared) if item.contact_shared is not None else None,
    )


def district_to_item(s: DistrictSettings) -> DistrictRefItem:
    item = DistrictRefItem(*K.district_key(s.district), district=s.district,
                           institutions=[InstitutionMap(id=i.id, kind=i.kind, name=i.name,
                                                        liaison_email=i.liaison_email, sla_days=i.sla_days,
                                                        send_method=i.send_method, endpoint=i.endpoint,
                                                        confirmed=i.confirmed, detsis=i.detsis, active=i.active,
                                                        inbox_digest=i.inbox_digest or None,
                                                        inbox_generation=i.inbox_generation
                                                        if i.inbox_generation != 1 else None)
                                         for i in s.institutions])
    if s.version is not None:
        item.version = s.version
    return item


def district_from_item(item: DistrictRefItem) -> DistrictSettings:
    return DistrictSettings(item.district,
                            [Institution(i.id, i.kind, i.name, i.liaison_email,
                                         int(i.sla_days) if i.sla_days else None, i.send_method or "email_link",
                                         i.endpoint, confirmed=i.confirmed is not False, detsis=i.detsis,
                                         active=i.active is not False, inbox_digest=bool(i.inbox_digest),
                                         inbox_generation=int(i.inbox_generation or 1))
                             for i in item.institutions],
                            item.version)


def office_to_item(o: Office) -> OfficeItem:
    item = OfficeItem(*K.office_key(o.code), code=o.code, kind=o.kind, province=o.province, name=o.name,
                      serves=list(o.serves), email=o.email, supervisor_email=o.supervisor_email, address=o.address,
                      phone=o.phone, kep=o.kep, detsis=o.detsis, onboarded=o.onboarded, auto_forward=o.auto_forward,
                      routing={k: list(v) for k, v in o.routing.items()} or None)
    if o.version is not None:
        item.version = o.version
    return item


def office_from_item(item: OfficeItem) -> Office:
    return Office(item.code, item.kind, item.province, item.name, tuple(str(x) for x in item.serves or ()), item.email,
                  item.supervisor_email, item.address, item.phone, item.kep, item.detsis, bool(item.onboarded),
                  bool(item.auto_forward), {k: tuple(v) for k, v in plain(item.routing or {}).items()}, item.version)


def idempotency_to_item(r: IdempotencyRecord) -> IdempotencyItem:
    return IdempotencyItem(*K.idempotency_key(r.key), request_hash=r.request_hash, status_code=r.status_code,
                           response_enc=r.response_sealed, expires_at=r.expires_at)


def idempotency_from_item(item: IdempotencyItem, key: str) -> IdempotencyRecord:
    return IdempotencyRecord(key, item.request_hash, int(item.status_code), item.response_enc, item.expires_at)


def audit_to_item(e: AuditEntry) -> AuditItem:
    expires = add_years(e.at.date(), settings().retention_years)
    return AuditItem(K.audit_pk(e.subject), f"{e.at.isoformat()}#{secrets.token_hex(4)}", actor=e.actor,
                     role=e.role, action=e.action, source_ip=e.source_ip, detail=e.detail or {},
                     expires_at=datetime(expires.year, expires.month, expires.day, tzinfo=timezone.utc))


def audit_view(item: AuditItem) -> dict:
    return {"at": item.sk.split("#")[0], "actor": item.actor, "role": item.role, "action": item.action,
            "source_ip": item.source_ip, "detail": item.detail.as_dict() if item.detail else {}}


def survey_to_item(s: SurveyAnswer) -> SurveyItem:
    return SurveyItem(*K.survey_key(s.application_no), rating=s.rating, comment=s.comment, district=s.district,
                      category=s.category, outcome=s.outcome, answered_on=s.answered_on, type=s.type)
