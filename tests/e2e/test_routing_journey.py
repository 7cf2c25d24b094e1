"""Routing on the real local stack: the pump delivers the queues to the workers."""
import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, outbox_for, track, wait_for

pytestmark = pytest.mark.e2e


def test_a_maltepe_application_is_forwarded_within_seconds_and_the_outbox_shows_it(stack):
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)
    assert status == 201
    view = wait_for(lambda: (v := track(stack, receipt))["status"] == "forwarded" and v, timeout=15)
    assert [h["status"] for h in view["history"]] == ["received", "forwarded"]
    sms, mails = wait_for(lambda: (o := outbox_for(stack, receipt["application_no"]))[1] and len(o[0]) == 2 and o)
    assert any("alındı" in m["body"] for m in sms) and any("iletildi" in m["body"] for m in sms)
    assert mails[0]["to"] == ["acikkapi.belediye@maltepe.example"]
    assert mails[0]["links"][0].startswith(f"{stack.web}/kurum.html#t=")
