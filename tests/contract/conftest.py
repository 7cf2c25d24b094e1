"""One contract, two implementations: every store port's in-memory fake (what the unit
tests use) and its DynamoDB adapter (on moto) must behave the same, or the unit tests
prove nothing. `p` is a Ports with every store: the fakes, or the composition root's
real adapters."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from chalicelib.domain.assignment import Assignment, AssignmentStatus, Institution
from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["fake", "dynamodb"])
def p(request):
    if request.param == "fake":
        from chalicelib.services import reference
        from tests.fakes import fake_ports
        fakes = fake_ports()
        reference.seed(fakes)           # as the aws fixture seeds the DynamoDB tables
        yield fakes
    else:
        request.getfixturevalue("aws")
        from chalicelib.bootstrap import ports
        yield ports()


def new_case(no: str, *, due: date | None = date(2026, 2, 4), district="34-maltepe", status=Status.RECEIVED,
             received=T0, case_type="sikayet") -> Case:
    return Case(application_no=no, access_code_hash="h", type=case_type, law="3071", category="yol_kaldirim",
                district=district, province=district.split("-")[0], subject="Kaldırım", description="Açıklama metni",
                applicant=Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres 1"),
                channel="web", received_at=received, receipt_date=received.date(), legal_due_date=due,
                status=status, history=[HistoryEntry(received, Status.RECEIVED, "alındı")], recorded_at=received)


def assignment(no: str, inst: str = "34-maltepe.belediye", sla=date(2026, 1, 14)) -> Assignment:
    return Assignment(no, Institution(inst, "belediye", "Maltepe Belediyesi", "b@example.org"),
                      AssignmentStatus.SENT, T0, sla, 1, subject="Kaldırım")
