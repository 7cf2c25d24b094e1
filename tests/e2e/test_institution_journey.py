"""The institution's part over HTTP on the real local stack: submit -> forwarded ->
the link from the dev outbox -> answer -> the case shows institution_answered."""
import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call, has_inst_link, inst_link, outbox_for, track, wait_for

pytestmark = pytest.mark.e2e


def test_institution_answers_through_the_emailed_link(stack):
    application = dict(VALID_APPLICATION, subject="Sokak lambası yanmıyor", category="aydinlatma")
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", application)
    assert status == 201
    wait_for(lambda: track(stack, receipt)["status"] == "forwarded")
    # the citizen's receipt e-mail may land first: wait for the institution's own
    _, mails = wait_for(lambda: (o := outbox_for(stack, receipt["application_no"]))[1] and has_inst_link(o[1]) and o)
    token = inst_link(mails).split("#t=", 1)[1]
    headers = {"X-Link-Token": token}

    status, view, _ = call("GET", f"{stack.api}/v1/institution/assignment", headers=headers)
    assert status == 200 and view["subject"] == "Sokak lambası yanmıyor" and view["read_only"] is False

    answer = {"text": "Arıza giderildi, lamba değiştirildi.", "outcome": "positive",
              "responder_name": "Mehmet Demir", "responder_title": "Fen İşleri Müdürü"}
    status, view, _ = call("POST", f"{stack.api}/v1/institution/answer", answer, headers)
    assert status == 200 and view["status"] == "answered"
    assert track(stack, receipt)["status"] == "institution_answered"
    assert call("POST", f"{stack.api}/v1/institution/answer", answer, headers)[0] == 409
    assert call("GET", f"{stack.api}/v1/institution/assignment", headers={"X-Link-Token": token[:-3] + "abc"})[0] == 401
