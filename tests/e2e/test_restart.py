"""The local stack keeps its data across a restart: a case submitted before it can be
tracked after it, with the same access code, and the institution's e-mailed link still
opens the case; even after a kill -9, once the last save has run."""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.conftest import LocalStack
from tests.e2e.helpers import call, track, wait_for


def _link(stack, no):
    status, outbox, _ = call("GET", f"{stack.api}/v1/dev/outbox")
    return next((m["links"][0] for m in outbox["email"] if no in m["subject"] and "kurum.html" in m["links"][0]), None)


@pytest.mark.parametrize("how", ["stop", "kill -9"])
def test_cases_links_and_the_outbox_survive_a_restart(how):
    first = LocalStack(LOCAL_SAVE_INTERVAL="1").start()
    second = None
    try:
        status, receipt, _ = call("POST", f"{first.api}/v1/applications", VALID_APPLICATION)
        assert status == 201
        wait_for(lambda: track(first, receipt)["status"] == "forwarded", timeout=20)
        link = wait_for(lambda: _link(first, receipt["application_no"]), timeout=20)
        token = link.split("#t=")[1]
        if how == "stop":
            first.stop()
        else:
            time.sleep(3)                              # a few saves (every second here, every 5 s by default)
            os.kill(first.proc.pid, signal.SIGKILL)
            first.proc.wait(timeout=10)
            time.sleep(1)
        second = LocalStack(state_dir=first.state_dir).start()
        assert any("restored" in line and " 0 items" not in line for line in second.output)
        view = track(second, receipt)                  # same number, same access code, same keys
        assert view["status"] == "forwarded" and view["subject"] == VALID_APPLICATION["subject"]
        status, case, _ = call("GET", f"{second.api}/v1/institution/assignment", headers={"X-Link-Token": token})
        assert status == 200 and case["subject"] == VALID_APPLICATION["subject"]
        assert _link(second, receipt["application_no"]) == link      # the outbox kept what was sent
        _, after, _ = call("GET", f"{second.api}/v1/dev/outbox")
        for kind in ("email", "sms"):                  # each message once, however many saves ran
            ids = [m["id"] for m in after[kind]]
            assert ids and len(ids) == len(set(ids)), kind
        if how == "stop":                              # a second restart: the restored and the new, both kept
            status, later, _ = call("POST", f"{second.api}/v1/applications",
                                    dict(VALID_APPLICATION, subject="İkinci başlangıçtan sonra gelen başvuru"))
            assert status == 201
            wait_for(lambda: track(second, later)["status"] == "forwarded", timeout=20)
            second.stop()
            third = LocalStack(state_dir=first.state_dir).start()
            try:
                assert track(third, receipt)["subject"] == VALID_APPLICATION["subject"]
                assert track(third, later)["status"] == "forwarded"
                _, final, _ = call("GET", f"{third.api}/v1/dev/outbox")
                ids = [m["id"] for m in final["email"]]
                assert set(ids) >= {m["id"] for m in after["email"]} and len(ids) == len(set(ids))
            finally:
                third.stop()
    finally:
        for s in (first, second):
            if s is not None and s.proc.poll() is None:
                os.killpg(s.proc.pid, signal.SIGKILL)


def test_fresh_starts_clean():
    first = LocalStack().start()
    try:
        status, receipt, _ = call("POST", f"{first.api}/v1/applications", VALID_APPLICATION)
        assert status == 201
    finally:
        first.stop()
    second = LocalStack(state_dir=first.state_dir, FRESH="1").start()
    try:
        status, _, _ = call("GET", f"{second.api}/v1/applications/{receipt['application_no']}",
                            headers={"X-Access-Code": receipt["access_code"]})
        assert status == 404
    finally:
        second.stop()
