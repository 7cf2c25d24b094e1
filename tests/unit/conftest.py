"""The service rules run on the in-memory fakes at a fixed clock: Mon 5 Jan 2026, 12:00 in
İstanbul, with the demo districts and institutions seeded."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest


@pytest.fixture
def p():
    from chalicelib.services import reference
    from tests.fakes import fake_ports
    ports = fake_ports(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
    reference.seed(ports)
    return ports
