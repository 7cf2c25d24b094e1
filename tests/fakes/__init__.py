"""In-memory fakes of every port, with the semantics of the real adapters (the contract
suite in tests/contract runs each store's suite against its fake and its DynamoDB
adapter). Service rules are unit-tested on these, with a fixed clock and literal dates."""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.services.ports import Ports
from tests.fakes.cases import FakeCases
from tests.fakes.outside import FakeIdentity, FakeKeys, FakePublisher, FakeSenders, FakeStorage, FixedClock
from tests.fakes.statistics import FakeStatistics
from tests.fakes.stores import (FakeAudit, FakeClaims, FakeCounters, FakePartnerKeys, FakePhoneCodes,
                                FakeReferenceData, FakeStaffDirectory, FakeSubjectRequests)

__all__ = ["FakeAudit", "FakeCases", "FakeClaims", "FakeCounters", "FakeIdentity", "FakeKeys", "FakePartnerKeys",
           "FakePhoneCodes", "FakePublisher", "FakeReferenceData", "FakeSenders", "FakeStaffDirectory",
           "FakeStatistics", "FakeStorage", "FakeSubjectRequests", "FixedClock", "fake_ports", "fake_cases"]


def fake_cases(keys=None) -> FakeCases:
    """A cases fake with its own statistics, reference data, counters and partner keys."""
    cases = FakeCases()
    cases.keys_ = keys or FakeKeys()
    return cases


def fake_ports(at: datetime | None = None) -> Ports:
    keys = FakeKeys()
    audit, statistics, reference = FakeAudit(), FakeStatistics(), FakeReferenceData()
    counters, partners = FakeCounters(), FakePartnerKeys()
    cases = FakeCases(audit=audit, statistics=statistics, reference=reference, counters=counters, partners=partners)
    cases.keys_ = keys
    return Ports(cases=cases, directory=FakeStaffDirectory(), partners=partners, phone_codes=FakePhoneCodes(),
                 subject_requests=FakeSubjectRequests(), statistics=statistics, reference=reference,
                 counters=counters, audit=audit, publisher=FakePublisher(), storage=FakeStorage(), keys=keys,
                 clock=FixedClock(at or datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)), identity=FakeIdentity(),
                 claims=FakeClaims(), senders=FakeSenders())
