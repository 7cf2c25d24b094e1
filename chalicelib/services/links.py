"""The signed links the platform sends: the institution's reply link, the tracking
link and the survey link. One function makes each, so each format lives in one place."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..config import settings
from ..domain.calendar import ISTANBUL
from ..domain.errors import Gone, Unauthorized
from ..domain.otp import SESSION_PURPOSE, SESSION_TTL
from ..domain.tokens import LinkClaims, TokenError, sign, verify

LINK_VALID_AFTER_SLA = timedelta(days=30)
SURVEY_VALID = timedelta(days=30)


def end_of_day(day: date) -> datetime:
    """The last second of a day in İstanbul: a link is valid to the end of its last day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=ISTANBUL)


def link_expiry(sla_due: date) -> datetime:
    """The end of the day, in İstanbul, 30 days after the SLA due date."""
    return end_of_day(sla_due + LINK_VALID_AFTER_SLA)


def sign_link(keys, purpose: str, subject: str, institution: str, generation: int, expires: datetime) -> str:
    """A link token with the active signing key: what it is for, what it names, which of
    its kind (a newer generation stops the older ones) and until when."""
    kid, key = keys.signing_keys().active_key()
    return sign(LinkClaims(purpose, subject, institution, generation, int(expires.timestamp())), kid, key)


def institution_token(keys, assignment) -> str:
    return sign_link(keys, "inst", assignment.id, assignment.institution.id, assignment.link_generation,
                     link_expiry(assignment.sla_due_date))


def institution_link(keys, assignment) -> str:
    """The institution page, with the token in the fragment: browsers never send the
    fragment to a server, so the token stays out of access logs."""
    return f"{settings().public_base_url}/kurum.html#t={institution_token(keys, assignment)}"


def console_url() -> str:
    return f"{settings().public_base_url}/buro.html"


def track_url(application_no_formatted: str) -> str:
    return f"{settings().public_base_url}/izle.html#no={application_no_formatted}"


def survey_token(keys, application_no: str, concluded_at: datetime, generation: int = 1) -> str:
    return sign_link(keys, "survey", application_no, "-", generation, concluded_at + SURVEY_VALID)


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


def opened(keys, token: str | None, *, now: datetime, purpose: str, what: str) -> LinkClaims:
    """An e-mailed link's claims, or the refusal its reader can act on: 410 when it has
    expired, 401 when it is not one of ours. `what` names the link in the message
    ("Onay bağlantısının", "Gelen kutusu bağlantısının")."""
    try:
        return verify_link(keys, token, now=now, purpose=purpose)
    except TokenError as exc:
        if exc.reason == "expired":
            raise Gone("link_expired", f"{what} süresi dolmuş; Açık Kapı bürosundan yenisini isteyiniz.") from None
        raise Unauthorized("invalid_link", "Bağlantı geçersiz; e-postadaki bağlantıyı eksiksiz açınız.") from None


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
