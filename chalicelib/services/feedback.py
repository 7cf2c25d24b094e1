"""The citizen after conclusion: the satisfaction survey (signed link, 30 days, one
answer, no personal data kept beside it) and the objection (itiraz: once, within 30
days of conclusion, with the access code)."""
from __future__ import annotations

from ..domain import events as ev
from ..domain import numbers
from ..domain import office as policy
from ..domain.calendar import local_date
from ..domain.case import HISTORY_NOTES, Status
from ..domain.errors import Conflict, Gone, Unauthorized
from ..domain.schemas import ObjectionIn, SurveyIn, parse
from ..domain.surveys import SurveyAnswer
from ..domain.tokens import TokenError
from . import links
from .notification_map import tell
from .ports import Ports
from .tracking import citizen_action, public_view


def _survey_claims(ports: Ports, token: str | None, now):
    try:
        return links.verify_link(ports.keys, token, now=now, purpose="survey")
    except TokenError as exc:
        if exc.reason == "expired":
            raise Gone("survey_expired", "Anket bağlantısının süresi dolmuş.") from None
        raise Unauthorized("survey_link_invalid", "Anket bağlantısı geçersiz.") from None


def survey_status(ports: Ports, token) -> dict:
    claims = _survey_claims(ports, token, ports.clock.now())
    return {"application_no": numbers.format_application_no(claims.subject),
            "answered": ports.statistics.survey_answered(claims.subject)}


def answer_survey(ports: Ports, token, data) -> dict:
    now = ports.clock.now()
    claims = _survey_claims(ports, token, now)
    req = parse(SurveyIn, data)
    case = ports.cases.get(claims.subject)
    if case is None:
        raise Unauthorized("survey_link_invalid", "Anket bağlantısı geçersiz.")
    if case.status != Status.CONCLUDED:   # reopened, or under evaluation again after an objection
        raise Conflict("not_concluded", "Anket yalnızca sonuçlanmış başvurular için cevaplanabilir; başvurunuz "
                       "yeniden değerlendiriliyor.", details={"current_status": case.status.value})
    answer = SurveyAnswer(claims.subject, req.rating, req.comment, case.district, case.category, case.outcome,
                          local_date(now).isoformat(), case.type)
    if not ports.statistics.add_survey(answer):
        raise Conflict("already_answered", "Bu başvuru için anket daha önce cevaplanmış.")
    return {"application_no": numbers.format_application_no(claims.subject), "answered": True}


def object_to_conclusion(ports: Ports, raw_no: str, access_code: str | None, data, *, client: str,
                         session: str | None = None) -> dict:
    now = ports.clock.now()
    req = parse(ObjectionIn, data)

    def apply(case, no, assignments):
        if case.objected_at is not None:
            raise Conflict("already_objected", "Bu başvurunun sonucuna daha önce itiraz edilmiş.")
        if case.status != Status.CONCLUDED:
            raise Conflict("not_concluded", "Yalnızca sonuçlanmış başvuruların sonucuna itiraz edilebilir.",
                           details={"current_status": case.status.value})
        if not case.answer_owed:
            raise Conflict("objection_not_applicable", "Teşekkür başvurularının sonucuna itiraz edilemez.")
        if not policy.objection_open(case.concluded_at, now):
            last = policy.objection_last_day(case.concluded_at).strftime("%d.%m.%Y")
            raise Conflict("objection_window_closed",
                           f"İtiraz süresi {last} günü sonunda (İstanbul saati) dolmuştur.")
        case.objected_at = now
        case.notes.append({"at": now.isoformat(), "kind": "objection", "by": "citizen",
                           "text_enc": ports.keys.seal(req.reason, no)})
        case.transition(Status.UNDER_EVALUATION, now, actor="citizen", event="objection",
                        note=HISTORY_NOTES["objection"])
        policy.reopen_period(case, now, actor="citizen")

    case = citizen_action(ports, raw_no, access_code, action="objection", client=client, now=now, apply=apply,
                          session=session)
    tell(ports, [ev.ConclusionObjected(case)])
    return public_view(ports, case, now)
