"""Over real HTTP against the local stack: submit, then track."""
import pytest

from tests.conftest import VALID_APPLICATION
from tests.e2e.helpers import call

pytestmark = pytest.mark.e2e


def test_stack_prints_its_urls_and_is_healthy(stack):
    text = "".join(stack.output)
    assert stack.api in text and "READY" in text
    assert call("GET", f"{stack.api}/v1/health")[0] == 200


def test_submit_and_track_over_http(stack):
    status, receipt, _ = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION,
                              {"Idempotency-Key": "e2e-1"})
    assert status == 201, receipt
    status, view, headers = call("GET", f"{stack.api}/v1/applications/{receipt['application_no']}",
                                 headers={"X-Access-Code": receipt["access_code"]})
    assert status == 200
    assert view["application_no"] == receipt["application_no"]
    assert view["history"][0]["status"] == "received"
    assert headers.get("Access-Control-Allow-Origin") == "*"
    # the same key replays the same receipt
    again = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION, {"Idempotency-Key": "e2e-1"})
    assert again[0] == 201 and again[1] == receipt


def test_bad_input_over_http_is_a_4xx_naming_the_field(stack):
    bad = dict(VALID_APPLICATION, district="34-yok")
    status, body, _ = call("POST", f"{stack.api}/v1/applications", bad)
    assert status == 422 and body["error"]["field"] == "district"


def test_pages_and_answers_carry_their_security_headers(stack):
    """Issue 36: no Content-Security-Policy and no X-Frame-Options on the pages locally, no
    nosniff on API answers, no no-store on personal data."""
    import urllib.request
    with urllib.request.urlopen(f"{stack.web}/basvuru.html", timeout=10) as resp:
        csp = resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and stack.api in csp
    assert "'unsafe-inline'" not in csp
    status, _, headers = call("POST", f"{stack.api}/v1/applications", VALID_APPLICATION)
    assert status == 201
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered["x-content-type-options"] == "nosniff" and lowered["cache-control"] == "no-store"
    _, _, catalog = call("GET", f"{stack.api}/v1/catalog")
    assert {k.lower(): v for k, v in catalog.items()}["cache-control"].startswith("public")
