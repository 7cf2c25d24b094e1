"""The citizen after conclusion: the satisfaction survey (signed link, 30 days, one
answer, no personal data kept beside it) and the objection (itiraz: once, within 30
days of conclusion, with the access code)."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from .. import security
from ..domain import refs
from ..domain.calendar import local_date
from ..domain.case import Status
from ..domain.errors import Conflict, Gone, Unauthorized
from ..domain.office import OBJECTION_WINDOW_DAYS
from ..domain.schemas import ObjectionIn, SurveyIn, parse
from ..domain.tokens import TokenError, verify
from .notifications import office_event, publish


def _survey_claims(token: str | None, now: datetime):
    try:
        return verify(token or "", security.signing_keys().keys, now=int(now.timestamp()), purpose="survey")
    except TokenError as exc:
        if exc.reason == "expired":
            raise Gone("survey_expired", "Anket bağlantısının süresi dolmuş.") from None
        raise Unauthorized("survey_link_invalid", "Anket bağlantısı geçersiz.") from None


def survey_status(token, *, now, repo) -> dict:
    from ..adapters.dynamo import SurveyItem
    claims = _survey_claims(token, now)
    try:
        SurveyItem.get(f"SURVEY#{claims.subject}", "SURVEY")
        answered = True
    except SurveyItem.DoesNotExist:
        answered = False
    return {"application_no": refs.format_application_no(claims.subject), "answered": answered}


def answer_survey(token, data, *, now, repo) -> dict:
    from ..adapters.dynamo import SurveyItem
    claims = _survey_claims(token, now)
    req = parse(SurveyIn, data)
    case = repo.get(claims.subject)
    if case is None or case.status != Status.CONCLUDED and case.concluded_at is None:
        raise Unauthorized("survey_link_invalid", "Anket bağlantısı geçersiz.")
    item = SurveyItem(f"SURVEY#{claims.subject}", "SURVEY", rating=req.rating, comment=req.comment,
                      district=case.district, category=case.category, outcome=case.outcome,
                      answered_on=local_date(now).isoformat())
    try:
        item.save(condition=SurveyItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("already_answered", "Bu başvuru için anket daha önce cevaplanmış.") from None
        raise
    return {"application_no": refs.format_application_no(claims.subject), "answered": True}


def object_to_conclusion(raw_no: str, access_code: str | None, data, *, client: str, now, repo,
                         publisher=publish) -> dict:
    from .applications import citizen_action, public_view
    req = parse(ObjectionIn, data)

    def apply(case, no):
        if case.objected_at is not None:
            raise Conflict("already_objected", "Bu başvurunun sonucuna daha önce itiraz edilmiş.")
        if case.status != Status.CONCLUDED:
            raise Conflict("not_concluded", "Yalnızca sonuçlanmış başvuruların sonucuna itiraz edilebilir.",
                           details={"current_status": case.status.value})
        if now - case.concluded_at > timedelta(days=OBJECTION_WINDOW_DAYS):
            raise Conflict("objection_window_closed", "İtiraz süresi (sonuçlanmadan sonra 30 gün) dolmuş.")
        case.objected_at = now
        case.notes.append({"at": now.isoformat(), "kind": "objection", "by": "citizen",
                           "text_enc": security.encrypt(req.reason, no)})
        case.transition(Status.UNDER_EVALUATION, now, actor="citizen", event="objection",
                        note="İtirazınız alındı; başvurunuz yeniden değerlendiriliyor.")

    case = citizen_action(raw_no, access_code, action="objection", client=client, now=now, repo=repo, apply=apply)
    no = case.application_no
    settings = repo.district(case.district)
    if settings is not None:
        publisher([office_event(no, case.district, settings.supervisor_email or settings.office_email, "supervisor",
                                "objection", "Vatandaş sonuca itiraz etti",
                                "Başvuru yeniden değerlendirmeye alındı.")])
    return public_view(case, now)
