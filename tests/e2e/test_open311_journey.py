"""Open311 over HTTP on the real local stack (moto server + chalice local + pump), with a
plain HTTP client as a partner app would use: the demo key `make run` prints, the
services and a definition, filing, reading back, the citizen's tracking and updates."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from tests.e2e.helpers import track, wait_for


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type"), err.read()


def _post_form(url, form):
    req = urllib.request.Request(url, data=urlencode(form).encode(), method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_an_open311_client_lists_files_reads_back_and_follows_updates(stack):
    [line] = [x for x in stack.output if x.startswith("Open311 demo api_key: ")]
    key = re.match(r"Open311 demo api_key: (\S+)$", line.strip()).group(1)
    base = f"{stack.api}/open311/v2"
    assert any(f"{base}/discovery.json" in x for x in stack.output)

    status, ctype, body = _get(f"{base}/discovery.xml")
    assert status == 200 and ctype.startswith("text/xml") and ET.fromstring(body).tag == "discovery"
    status, ctype, body = _get(f"{base}/services.json?jurisdiction_id=34-maltepe")
    services = json.loads(body)
    assert status == 200 and ctype.startswith("application/json") and isinstance(services, list)
    code = next(s["service_code"] for s in services if s["group"] == "Yerel Yönetimler")
    definition = json.loads(_get(f"{base}/services/{code}.json")[2])
    required = {a["code"] for a in definition["attributes"] if a["required"]}
    assert {"type", "national_id", "kvkk_acknowledged"} <= required

    status, body = _post_form(f"{base}/requests.json", {
        "api_key": key, "service_code": code, "jurisdiction_id": "34-maltepe", "lat": "40.92", "long": "29.13",
        "attribute[type]": "sikayet", "attribute[national_id]": "10000000146",
        "attribute[address]": "Cevizli Mah. Tugay Yolu No:5 Maltepe", "attribute[mobile_phone]": "05321234567",
        "attribute[kvkk_acknowledged]": "true", "first_name": "Ayşe", "last_name": "Yılmaz",
        "description": "Kaldırım taşları yerinden çıkmış, yaşlılar düşüyor."})
    assert status == 201, body
    [receipt] = json.loads(body)
    no = receipt["service_request_id"]

    # the citizen tracks it with the access code the partner app showed once
    assert track(stack, {"application_no": no, "access_code": receipt["access_code"]})["status"] in (
        "received", "in_review", "forwarded")
    # the pump routes it; the partner sees the forwarding in its updates
    def forwarded():
        updates = json.loads(_get(f"{base}/servicerequestupdates.json?api_key={key}")[2])
        return [u for u in updates if u["service_request_id"] == no and u["external_status_code"] == "forwarded"]
    [update] = wait_for(forwarded, timeout=30)
    assert update["status"] == "IN_PROGRESS" and update["updated_datetime"].endswith("+03:00")

    status, ctype, body = _get(f"{base}/requests/{no}.xml?api_key={key}")
    root = ET.fromstring(body)
    assert status == 200 and root.findtext("request/status") == "open"
    assert root.findtext("request/agency_responsible")
    assert "Ayşe" not in body.decode() and "10000000146" not in body.decode()
    # without a key: the status fields only; a revoked or wrong key: 403
    status, _, body = _get(f"{base}/requests/{no}.json")
    assert status == 200 and "status_notes" not in json.loads(body)[0]
    assert _get(f"{base}/requests.json?api_key=ak_{'x' * 30}")[0] == 403


def test_a_key_in_the_query_string_stays_out_of_the_local_server_log(stack):
    """Issue 36: the spec lets a partner send api_key in the query string, and the local
    server wrote the request line, key and all, into .local/chalice.log."""
    from tests.e2e.conftest import ROOT
    [line] = [x for x in stack.output if x.startswith("Open311 demo api_key: ")]
    key = re.match(r"Open311 demo api_key: (\S+)$", line.strip()).group(1)
    status, _, _ = _get(f"{stack.api}/open311/v2/requests.json?api_key={key}&status=open")
    assert status == 200
    log = (ROOT / ".local" / "chalice.log").read_text("utf-8", "replace")
    assert "/open311/v2/requests.json?api_key=[gizli]" in log and key not in log


def test_clients_that_append_a_slash_and_unknown_paths_get_the_specifications_answers(stack):
    """Issue 40: the published base ends in `/`; a client that appends `/services.xml`
    asks for `…/v2//services.xml` and got the local server's 403 `Missing Authentication
    Token` in JSON, as did the root and any unknown path."""
    base = f"{stack.api}/open311/v2"
    single = _get(f"{base}/services.xml")
    doubled = _get(f"{base}//services.xml")
    assert doubled[0] == 200 and doubled[2] == single[2] and ET.fromstring(doubled[2]).tag == "services"
    status, ctype, body = _get(f"{base}/service/x.xml")
    assert status == 404 and ctype.startswith("text/xml") and ET.fromstring(body).findtext("error/code") == "404"
    status, ctype, body = _get(f"{base}/")
    assert status == 200 and json.loads(body)["endpoints"][0]["url"].endswith("/open311/v2/")
