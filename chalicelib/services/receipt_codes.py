"""The codes a receipt carries (domain/receipts.py): its QR token, its short code and the
address that checks them. Apart from receipts.py (the checks, behind tracking's throttle),
so that a submission's cold start imports neither."""
from __future__ import annotations

from ..config import settings
from ..domain import receipts as R
from ..domain.calendar import iso_local


def signed(keys, no: str, office: str, received_at: str, digest: str) -> bytes:
    return keys.sign_receipt(office, R.payload(no, office, received_at, digest))


def verification(keys, case) -> dict:
    """The receipt's QR token, its short code and the address dogrula.html checks it at."""
    received_at = iso_local(case.received_at) or ""
    digest = R.subject_digest(case.subject)
    signature = signed(keys, case.application_no, case.office, received_at, digest)
    token = R.token(case.application_no, case.office, received_at, digest, signature)
    return {"short_code": R.short_code(signature), "token": token,
            "url": f"{settings().public_base_url}/dogrula.html#r={token}"}
