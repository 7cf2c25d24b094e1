"""What a submission answers, and every error (see __init__)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import _Out


# --- errors ------------------------------------------------------------------------------

class ErrorDetail(BaseModel):
    """Some errors add facts beside the code (a 409 names `current_version` and
    `current_status`, a 429 `retry_after`), hence the open model."""
    model_config = ConfigDict(extra="allow", defer_build=True)
    code: str = Field(description="English machine-readable code")
    message: str = Field(description="Turkish, for people")
    field: str | None = Field(default=None, description="Dotted path of the field at fault")


class ErrorOut(_Out):
    error: ErrorDetail
    errors: list[ErrorDetail] | None = None


# --- the citizen ---------------------------------------------------------------------------

class ApplicationOut(_Out):
    application_no: str = Field(description="XXXX-XXXX-XX, with a check character")
    access_code: str = Field(description="Shown once; keep it to track the application")
    status: Literal["received"]
    received_at: str = Field(description="ISO 8601 with offset, Europe/Istanbul")
    legal_due_date: str | None = Field(description="YYYY-MM-DD; null for a thanks, which owes no answer")
    type: str
    category: str
    district: str
    office: "OfficeOut" = Field(description="The office that handles the application (its place's own, or the "
                                            "first onboarded one above it)")
    verification: "VerificationOut" = Field(description="What makes the receipt verifiable by anyone (dogrula.html)")


class OfficeOut(_Out):
    code: str
    name: str


class VerificationOut(_Out):
    short_code: str = Field(description="XXXXX-XXXXX: printed on the receipt, typed on dogrula.html with the number")
    token: str = Field(description="What the receipt's QR code carries (number, office, time received, subject "
                                   "digest, the office's Ed25519 signature)")
    url: str = Field(description="dogrula.html#r=<token>: the QR code's address")


class ReceiptQrOut(_Out):
    qr: str = Field(description="data:image/svg+xml URI of the QR code")
    url: str


class ReceiptCheckOut(_Out):
    valid: bool
    message: str
    application_no: str | None = None
    office: OfficeOut | None = None
    received_at: str | None = None
    subject_digest: str | None = Field(default=None, description="First 128 bits of SHA-256 of the subject (NFC, "
                                                                  "trimmed): the page checks a typed subject")
