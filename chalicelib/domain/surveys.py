"""A satisfaction survey's answer: statistics only, no personal data."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SurveyAnswer:
    """A satisfaction answer: statistics only, no personal data."""
    application_no: str
    rating: int
    comment: str | None
    district: str
    category: str
    outcome: str | None
    answered_on: str
    type: str | None = None
