"""What the office console is sent: case detail and queue rows."""
from __future__ import annotations

from datetime import datetime

from ...domain import numbers
from ...domain import office as policy
from ...domain.calendar import iso_local as _iso
from ...domain.calendar import local_date
from ...domain.case import STATUS_NAMES
from ...domain.catalog import catalog
from ...domain.identity import mask_national_id, mask_phone
from ...domain.notifications import SMS_NAMES
from ..ports import Ports
from ..tracking import files_view, notes_view


def answers_view(ports: Ports, answers) -> list[dict]:
    """An institution's answers with short-lived download links (office and institution alike)."""
    return [{"at": _iso(x.at), "text": x.text, "outcome": x.outcome, "responder_name": x.responder_name,
             "responder_title": x.responder_title, "returned_note": x.returned_note,
             "attachments": [{"id": f["id"], "filename": f["filename"],
                              "url": ports.storage.presigned_download(
                                  f["key"], f["filename"], f.get("content_type") or "application/octet-stream")}
                             for f in x.attachments]} for x in answers]


def _citizen_files(ports: Ports, case) -> list[dict]:
    return files_view(ports, case)


def assignment_view(ports: Ports, a) -> dict:
    return {
        "institution_id": a.institution.id, "institution_name": a.institution.name, "status": a.status.value,
        "dispatched_at": _iso(a.dispatched_at), "sla_due_date": a.sla_due_date.isoformat(),
        "link_generation": a.link_generation, "redirect": a.redirect, "notes": a.notes,
        "answers": answers_view(ports, a.answers), "contact_shared": a.contact_shared,
    }


def _day(d) -> str | None:
    return d.isoformat() if d else None


def detail(ports: Ports, case, assignments, p, *, now: datetime) -> dict:
    cat = catalog()
    today = local_date(now)
    names = {a.institution.id: a.institution.name for a in assignments}
    return {
        "application_no": numbers.format_application_no(case.application_no), "version": case.version,
        "status": case.status.value, "law": case.law, "type": case.type, "type_name": cat.types[case.type]["name"],
        "category": case.category, "category_name": cat.subjects[case.category].name,
        "district": case.district, "district_name": cat.districts[case.district].name,
        "subject": case.subject, "description": case.description, "channel": case.channel,
        "partner_name": case.partner["name"] if case.partner else None, "media_url": case.media_url,
        "legal_hold": case.legal_hold, "anonymised_at": _iso(case.anonymised_at),
        "phone_verified": case.phone_verified,
        "identity_verification": case.identity_verification,
        # SMS not sent because the phone's daily budget was spent: the office may call instead
        "held_messages": [{"template": h["template"], "name": SMS_NAMES.get(h["template"], h["template"]),
                           "at": h["at"]} for h in ports.claims.held(case.application_no)],
        "referral": case.referral,
        "citizen_attachments": _citizen_files(ports, case),
        "possible_repeat": ({**case.possible_repeat, "of": numbers.format_application_no(case.possible_repeat["of"])}
                            if case.possible_repeat else None),
        "location": case.location, "place": case.place, "received_at": _iso(case.received_at), "recorded_at": _iso(case.recorded_at),
        "legal_due_date": _day(case.legal_due_date),
        "days_left": (case.legal_due_date - today).days if case.legal_due_date else None,
        "answer_owed": case.answer_owed, "reopened_on": _day(case.reopened_on),
        "sla_due_date": case.sla_due_date.isoformat() if case.sla_due_date else None,
        "extended": case.extended, "confidential_identity": case.confidential_identity,
        "review_reason": case.review_reason, "not_processed_reason": case.not_processed_reason,
        "merged_into": numbers.format_application_no(case.merged_into) if case.merged_into else None,
        "applicant": {"first_name": case.applicant.first_name, "last_name": case.applicant.last_name,
                      "national_id_masked": mask_national_id(case.applicant.national_id),
                      "phone_masked": mask_phone(case.applicant.phone), "email": case.applicant.email,
                      "address": case.applicant.address},
        "history": [{"at": _iso(h.at), "status": h.status.value, "status_name": STATUS_NAMES[h.status],
                     "note": h.note, "public": h.public, "actor": h.actor,
                     "actor_name": policy.actor_name(h.actor, names), "event": h.event} for h in case.history],
        "assignments": [assignment_view(ports, a) for a in assignments],
        "notes": notes_view(ports, case),
        "outcome": case.outcome, "final_answer": case.final_answer, "concluded_at": _iso(case.concluded_at),
        "legal_remedies": case.legal_remedies, "final_answers": case.final_answers,
        # what every refusal of this case states (the office may only add to it)
        "legal_remedies_template": policy.LEGAL_REMEDIES_4982 if case.law == "4982" else policy.GENERAL_REMEDIES,
        "allowed_actions": policy.allowed_actions(case, p, today=today, assignments=assignments),
    }


def queue_item(case, now) -> dict:
    today = local_date(now)
    open_ = not case.closed
    return {"application_no": numbers.format_application_no(case.application_no), "status": case.status.value,
            "type": case.type, "category": case.category, "district": case.district, "subject": case.subject,
            "received_at": _iso(case.received_at), "legal_due_date": _day(case.legal_due_date),
            "legal_days_left": (case.legal_due_date - today).days if case.legal_due_date else None,
            "sla_due_date": case.sla_due_date.isoformat() if case.sla_due_date else None,
            "sla_days_left": (case.sla_due_date - today).days if case.sla_due_date else None,
            "overdue": open_ and (bool(case.legal_due_date and case.legal_due_date < today)
                                  or bool(case.sla_due_date and case.sla_due_date < today)),
            "institutions": [i["name"] for i in case.institutions],
            "channel": case.channel or None, "partner_name": case.partner["name"] if case.partner else None,
            "repeat_of": (numbers.format_application_no(case.possible_repeat["of"])
                          if case.possible_repeat and not case.possible_repeat.get("dismissed") else None)}
