"""The routing worker's messages, each built in one place. They carry identifiers
only, never personal data in clear (a code request carries the national id and phone
sealed, bound to its reference)."""
from __future__ import annotations

from datetime import datetime

from ..domain.calendar import iso_local


def district_digest(district: str, day) -> dict:
    """One district's morning digest: the daily sweep sends one per district, so 973
    districts are 973 small pieces of work, never one long run."""
    return {"type": "digest.district", "version": 1, "district": district, "day": day.isoformat()}


def application_received(application_no: str, district: str, occurred_at: datetime, *, office: str | None = None,
                         resent: bool = False) -> dict:
    """`district`: the place (its institutions); `office`: the office handling it."""
    msg = {"type": "application.received", "version": 1, "application_no": application_no, "district": district,
           "occurred_at": iso_local(occurred_at)}
    if office:
        msg["office"] = office
    if resent:
        msg["resent"] = True
    return msg



def code_requested(ref: str, sealed: str, occurred_at: datetime) -> dict:
    """A citizen asked for a phone code: the worker looks the pair up and sends it
    (services/citizen_session.send_code)."""
    return {"type": "otp.requested", "version": 1, "ref": ref, "sealed": sealed, "occurred_at": iso_local(occurred_at)}
