"""The signed links the platform sends: the institution's reply link, the tracking
link and the survey link. One function makes each, so each format lives in one place."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..config import settings
from ..domain.calendar import ISTANBUL
from ..domain.otp import SESSION_PURPOSE, SESSION_TTL
from ..domain.tokens import LinkClaims, TokenError, sign, verify

LINK_VALID_AFTER_SLA = timedelta(days=30)
SURVEY_VALID = timedelta(days=30)


def link_expiry(sla_due: date) -> datetime:
    """The end of the day, in İstanbul, 30 days after the SLA due date."""
    return datetime.combine(sla_due + LINK_VALID_AFTER_SLA, time(23, 59, 59), tzinfo=ISTANBUL)


def institution_token(keys, assignment) -> str:
    kid, key = keys.signing_keys().active_key()
    claims = LinkClaims("inst", assignment.id, assignment.institution.id, assignment.link_generation,
                        int(link_expiry(assignment.sla_due_date).timestamp()))
    return sign(claims, kid, key)


def institution_link(keys, assignment) -> str:
    """The institution page, with the token in the fragment: browsers never send the
    fragment to a server, so the token stays out of access logs."""
    return f"{settings().public_base_url}/kurum.html#t={institution_token(keys, assignment)}"


def console_url() -> str:
    return f"{settings().public_base_url}/buro.html"


def track_url(application_no_formatted: str) -> str:
    return f"{settings().public_base_url}/izle.html#no={application_no_formatted}"


def survey_token(keys, application_no: str, concluded_at: datetime, generation: int = 1) -> str:
    kid, key = keys.signing_keys().active_key()
    claims = LinkClaims("survey", application_no, "-", generation, int((concluded_at + SURVEY_VALID).timestamp()))
    return sign(claims, kid, key)


def survey_url(keys, case, concluded_at: datetime) -> str:
    return f"{settings().public_base_url}/anket.html#t={survey_token(keys, case.application_no, concluded_at)}"


def verify_link(keys, token: str | None, *, now: datetime, purpose: str) -> LinkClaims:
    """Verifies a link token. A key id we do not know makes us read the keys once more:
    a key activated after this container started must verify at once."""
    try:
        return verify(token or "", keys.signing_keys().keys, now=int(now.timestamp()), purpose=purpose)
    except TokenError as exc:
        if exc.reason != "unknown_key" or not keys.refresh_signing_keys():
            raise
    return verify(token or "", keys.signing_keys().keys, now=int(now.timestamp()), purpose=purpose)


def citizen_session_token(keys, nid_hash: str, phone_hash: str, method: str, now: datetime) -> str:
    """A citizen session: the national-id HMAC as subject, the verifying method and the
    phone's HMAC in the second field ("otp:<phone hmac>"; an identity provider such as
    e-Devlet would sign "edevlet:-"), 30 minutes."""
    kid, key = keys.signing_keys().active_key()
    return sign(LinkClaims(SESSION_PURPOSE, nid_hash, f"{method}:{phone_hash}", 1,
                           int((now + SESSION_TTL).timestamp())), kid, key)


def webhook_secret(keys, institution_id: str) -> str:
    """The secret an institution's own system verifies our webhook signatures with:
    derived from the deployment's master key and the institution's id, so it needs no
    storage; an administrator reads it on the institution's screen."""
    return keys.fingerprint(b"webhook-secret:" + institution_id.encode("utf-8"))[:48]
