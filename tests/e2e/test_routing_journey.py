"""Routing on the real local stack: the pump delivers the queues to the workers."""
import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, inst_link, outbox_for, own_phone, track, wait_for

pytestmark = pytest.mark.e2e


def test_a_maltepe_application_is_forwarded_within_seconds_and_the_outbox_shows_it(stack):
    application = dict(VALID_APPLICATION, applicant=dict(VALID_APPLICATION["applicant"], phone=own_phone()))
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", application)
    assert status == 201
    view = wait_for(lambda: (v := track(stack, receipt))["status"] == "forwarded" and v, timeout=15)
    assert [h["status"] for h in view["history"]] == ["received", "forwarded"]
    sms, mails = wait_for(lambda: (o := outbox_for(stack, receipt["application_no"]))[1] and len(o[0]) == 2
                          and len(o[1]) == 2 and o)
    assert any("alındı" in m["body"] for m in sms) and any("iletildi" in m["body"] for m in sms)
    assert sorted(m["to"][0] for m in mails) == ["acikkapi.belediye@maltepe.example", "ayse@example.com"]
    assert inst_link(mails).startswith(f"{stack.web}/kurum.html#t=")
