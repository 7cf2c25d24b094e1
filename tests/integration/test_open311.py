"""Open311 GeoReport v2 (issue 14), on moto through chalice.test.Client: the contract
in XML and JSON, filing with every attribute, every filter, tokens, updates, every
error in both formats, the two views (partner key, keyless) and the budgets."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from chalicelib.domain.case import HistoryEntry, Status
from tests.integration.helpers import (
    ANSWER,
    act,
    detail,
    inst_post,
    outbox,
    route_all,
    staff_post,
)

BASE = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FILING = {
    "service_code": "yol_kaldirim", "jurisdiction_id": "34-maltepe", "lat": "40.9236", "long": "29.1312",
    "attribute[type]": "sikayet", "attribute[national_id]": "10000000146",
    "attribute[address]": "Bağdat Cad. No:1 Maltepe / İstanbul", "attribute[mobile_phone]": "0532 123 45 67",
    "attribute[kvkk_acknowledged]": "true", "attribute[confidential]": "false",
    "attribute[subject]": "Kaldırım çökmüş", "first_name": "Ayşe", "last_name": "Yılmaz",
    "email": "ayse@example.com", "description": "Bağdat Caddesi üzerinde kaldırım çöktü, yayalar yola iniyor.",
    "media_url": "https://belediye.example/foto/123.jpg",
}
PERSONAL = ("10000000146", "Ayşe", "Yılmaz", "5321234567", "532 123 45 67", "Bağdat Cad. No:1",
            "yayalar yola iniyor", "ayse@example.com")


@pytest.fixture
def partner(client, staff):
    """A partner key issued by the admin through the staff API (the key is in that answer only)."""
    def issue(name="Maltepe Belediyesi Mobil", districts=("34-maltepe",), rate_limit=120):
        r = staff_post(client, staff, "yonetici", "/v1/staff/partners",
                       {"name": name, "contact": "mobil@maltepe.example", "districts": list(districts),
                        "rate_limit": rate_limit})
        assert r.status_code == 201, r.body
        return r.json_body
    return issue


@pytest.fixture
def same_minute(monkeypatch):
    """The system clock held inside one rate window, so that a warm key's check is its
    steady-state single write (a new minute's first call resets the window: one more)."""
    from chalicelib import bootstrap
    held = datetime.now(timezone.utc).replace(second=5, microsecond=0)
    monkeypatch.setattr(bootstrap.SystemClock, "now", lambda self: held)
    return held


def file(client, key, fmt="json", **changes):
    form = {**FILING, **changes}
    form = {k: v for k, v in form.items() if v is not None}
    return client.http.post(f"{BASE}/requests.{fmt}", headers=FORM, body=urlencode({**form, "api_key": key}))


def xml(resp):
    assert resp.headers["Content-Type"].startswith("text/xml")
    return ET.fromstring(resp.body)


# --- reading: discovery, services, definitions ------------------------------------------

def test_discovery_in_both_formats(client):
    j = client.http.get(f"{BASE}/discovery.json")
    assert j.status_code == 200 and j.headers["Content-Type"].startswith("application/json")
    body = j.json_body
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    [endpoint] = body["endpoints"]
    assert endpoint["url"].endswith("/open311/v2/") and endpoint["specification"].endswith("GeoReport_v2")
    assert endpoint["formats"] == ["text/xml", "application/json"] and endpoint["type"] in ("test", "production")
    root = xml(client.http.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/changeset") == body["changeset"]


def test_services_list_the_catalogue_subjects_as_a_bare_array_and_in_xml(client):
    from chalicelib.domain.catalog import catalog
    services = client.http.get(f"{BASE}/services.json?jurisdiction_id=34-maltepe").json_body
    assert isinstance(services, list) and len(services) == len(catalog().subjects)
    road = next(s for s in services if s["service_code"] == "yol_kaldirim")
    assert road["group"] == "Yerel Yönetimler" and road["metadata"] is True and road["type"] == "realtime"
    assert "Belediye" in road["description"] and road["keywords"]
    root = xml(client.http.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    first = root.find("service")
    assert [c.tag for c in first] == ["service_code", "service_name", "description", "metadata", "type",
                                      "keywords", "group"]
    assert first.findtext("metadata") == "true"


def test_a_service_definition_carries_what_an_application_needs(client):
    body = client.http.get(f"{BASE}/services/yol_kaldirim.json").json_body
    assert body["service_code"] == "yol_kaldirim"
    attrs = {a["code"]: a for a in body["attributes"]}
    assert set(attrs) == {"type", "national_id", "address", "mobile_phone", "kvkk_acknowledged", "confidential",
                          "subject"}
    assert attrs["type"]["datatype"] == "singlevaluelist" and len(attrs["type"]["values"]) == 7
    assert {"key": "bilgi_edinme", "name": "Bilgi Edinme"} in attrs["type"]["values"]
    assert attrs["national_id"]["required"] is True and attrs["confidential"]["required"] is False
    assert [a["order"] for a in body["attributes"]] == list(range(1, 8))
    assert all(a["description"] and a["variable"] is True for a in body["attributes"])
    assert "ihbar" in attrs["confidential"]["description"]
    root = xml(client.http.get(f"{BASE}/services/yol_kaldirim.xml"))
    assert root.tag == "service_definition"
    values = root.findall("attributes/attribute[code='type']/values/value")
    assert len(values) == 7 and values[0].find("key") is not None and values[0].find("name") is not None


# --- filing --------------------------------------------------------------------------------

def test_filing_with_every_attribute_is_one_submission_and_returns_the_number_and_code(client, partner, aws,
                                                                                     aws_calls, same_minute):
    key = partner()["api_key"]
    assert file(client, key).status_code == 201      # the container's first filing reads the key's record once
    aws_calls.reset()
    resp = file(client, key)
    assert resp.status_code == 201, resp.body
    [receipt] = resp.json_body
    # the services are realtime: the id, never a token beside it (GeoReport v2: one or the other)
    assert set(receipt) >= {"service_request_id", "service_notice", "account_id", "access_code"}
    assert "token" not in receipt
    assert "3071" in receipt["service_notice"] and receipt["expected_datetime"].endswith("+03:00")
    # one submission: the key's check and count are items of the submission's own transaction
    assert aws_calls.operations("dynamodb") == ["TransactWriteItems"]
    assert aws_calls.operations("sqs") == ["SendMessage"]
    # the citizen tracks it with the access code like any other application
    tracked = client.http.get(f"/v1/applications/{receipt['service_request_id']}",
                              headers={"X-Access-Code": receipt["access_code"]})
    assert tracked.status_code == 200 and tracked.json_body["category"] == "yol_kaldirim"
    route_all(aws)
    [sms] = [m for m in outbox()["sms"] if receipt["service_request_id"] in m["body"] and "alındı" in m["body"]]
    assert sms["to"] == "+905321234567"


def test_the_office_sees_an_open311_application_with_its_channel_and_partner(client, staff, partner, aws):
    key = partner(name="Maltepe Belediyesi Mobil")["api_key"]
    [receipt] = file(client, key).json_body
    route_all(aws)
    view = detail(client, staff, receipt["service_request_id"])
    assert view["channel"] == "open311" and view["partner_name"] == "Maltepe Belediyesi Mobil"
    assert view["media_url"] == FILING["media_url"] and view["location"] == {"lat": 40.9236, "lon": 29.1312}
    assert view["applicant"]["first_name"] == "Ayşe" and view["subject"] == "Kaldırım çökmüş"
    queue = client.http.get("/v1/staff/cases?district=34-maltepe", headers=staff.headers("masa.maltepe")).json_body
    [row] = [i for i in queue["items"] if i["application_no"] == receipt["service_request_id"]]
    assert row["channel"] == "open311" and row["partner_name"] == "Maltepe Belediyesi Mobil"


def test_filing_in_xml_with_an_address_only_and_the_service_name_as_subject(client, partner):
    key = partner()["api_key"]
    resp = file(client, key, fmt="xml", lat=None, long=None, **{"attribute[address]": None, "attribute[subject]": None,
                                                                 "address_string": "Cevizli Mah. Tugay Yolu No:5"})
    assert resp.status_code == 201, resp.body
    root = xml(resp)
    assert root.tag == "service_requests"
    no = root.findtext("request/service_request_id")
    assert no and root.findtext("request/access_code") and root.find("request/token") is None


def test_tokens_resolve_to_the_number(client, partner):
    """A filing answers the id; a token (as earlier answers carried, and as a client that
    keeps one may still ask about) still resolves."""
    from chalicelib.bootstrap import ports
    from chalicelib.domain.numbers import normalise_application_no
    from chalicelib.services.open311 import token_of
    [receipt] = file(client, partner()["api_key"]).json_body
    token = token_of(ports(), normalise_application_no(receipt["service_request_id"]))
    body = client.http.get(f"{BASE}/tokens/{token}.json").json_body
    assert body == [{"token": token, "service_request_id": receipt["service_request_id"]}]
    root = xml(client.http.get(f"{BASE}/tokens/{token}.xml"))
    assert root.findtext("request/service_request_id") == receipt["service_request_id"]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.http.get(f"{BASE}/tokens/{forged}.json").status_code == 404


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("changes,status,field", [
    ({"attribute[national_id]": "12345678901"}, 400, "attribute[national_id]"),
    ({"attribute[type]": None}, 400, "attribute[type]"),
    ({"attribute[type]": "dilekce"}, 400, "attribute[type]"),
    ({"attribute[mobile_phone]": "123"}, 400, "attribute[mobile_phone]"),
    ({"attribute[kvkk_acknowledged]": "false"}, 400, "attribute[kvkk_acknowledged]"),
    ({"attribute[confidential]": "true"}, 400, "attribute[confidential]"),
    ({"attribute[colour]": "red"}, 400, "attribute[colour]"),
    ({"service_code": "uzay"}, 404, "service_code"),        # GeoReport v2's POST errors: 404 for no such service
    ({"description": "x" * 4001}, 400, "description"),
    ({"lat": "kuzey"}, 400, "lat"),
    ({"lat": "48.0"}, 400, "lat"),
    ({"long": None}, 400, "long"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"jurisdiction_id": "06-cankaya"}, 403, "jurisdiction_id"),
    ({"jurisdiction_id": "99-yok"}, 404, "jurisdiction_id"),
])
def test_every_filing_error_names_the_field_in_turkish_in_both_formats(client, partner, fmt, changes, status, field):
    resp = file(client, partner()["api_key"], fmt=fmt, **changes)
    assert resp.status_code == status, resp.body
    if fmt == "json":
        [error] = resp.json_body
        code, description = error["code"], error["description"]
    else:
        root = xml(resp)
        assert root.tag == "errors"
        code, description = int(root.findtext("error/code")), root.findtext("error/description")
    assert code == status and description.startswith(field + ":")
    assert not any(w in description for w in ("Field required", "should", "Input", "valid "))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_bad_or_revoked_key_is_403_and_a_flood_429(client, staff, partner, fmt):
    issued = partner(rate_limit=3)
    body = urlencode(FILING)
    assert client.http.post(f"{BASE}/requests.{fmt}", headers=FORM, body=body).status_code == 403
    bad = client.http.post(f"{BASE}/requests.{fmt}", headers=FORM, body=body + "&api_key=ak_" + "x" * 40)
    assert bad.status_code == 403
    assert "api_key" in (bad.json_body[0]["description"] if fmt == "json" else xml(bad).findtext("error/description"))
    key = issued["api_key"]
    statuses = [client.http.get(f"{BASE}/requests.{fmt}?api_key={key}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.http.get(f"{BASE}/requests.{fmt}?api_key={key}")
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
    assert file(client, key, fmt=fmt).status_code == 201            # the filing path knows the key now
    r = staff_post(client, staff, "yonetici", f"/v1/staff/partners/{issued['partner']['id']}/revoke", {})
    assert r.status_code == 200 and r.json_body["partner"]["active"] is False
    assert file(client, key, fmt=fmt).status_code == 403             # refused inside the transaction at once
    assert client.http.get(f"{BASE}/requests.{fmt}?api_key={key}").status_code == 403


def test_filings_over_the_keys_limit_are_429_and_write_nothing(client, partner, same_minute):
    key = partner(rate_limit=2)["api_key"]
    statuses = [file(client, key).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    listed = client.http.get(f"{BASE}/requests.json?api_key={key}").json_body
    assert len(listed) == 2                                          # the refused one left no case


def test_wrong_content_type_and_unknown_resources_and_formats_are_4xx(client, partner):
    key = partner()["api_key"]
    as_json = client.http.post(f"{BASE}/requests.json", headers={"Content-Type": "application/json"},
                               body=json.dumps({**FILING, "api_key": key}))
    assert as_json.status_code == 400 and as_json.json_body[0]["description"].startswith("Content-Type")
    twice = client.http.post(f"{BASE}/requests.json", headers=FORM,
                             body=urlencode(FILING) + "&first_name=Ali&api_key=" + key)
    assert twice.status_code == 400 and twice.json_body[0]["description"].startswith("first_name")
    assert client.http.get(f"{BASE}/services.yaml").status_code == 400
    assert client.http.get(f"{BASE}/widgets.json").status_code == 404
    assert client.http.get(f"{BASE}/services/uzay.xml").status_code == 404
    assert client.http.get(f"{BASE}/services.json?jurisdiction_id=99-yok").status_code == 404
    assert client.http.post(f"{BASE}/requests.json", headers=FORM, body=b"\xff\xfe=1").status_code == 400


@pytest.mark.parametrize("doubled", [f"{BASE}//services.xml", f"{BASE}///services.xml"])
def test_a_doubled_slash_after_the_published_base_is_the_single_one(client, partner, doubled):
    """The discovery `url` ends in `/`: a client that appends `/services.xml` must reach
    the same document as FixMyStreet, which appends `services.xml`."""
    single = client.http.get(f"{BASE}/services.xml")
    twice = client.http.get(doubled)
    assert twice.status_code == 200 and twice.body == single.body and xml(twice).tag == "services"
    assert client.http.get(f"{BASE}//services/yol_kaldirim.json").json_body == \
        client.http.get(f"{BASE}/services/yol_kaldirim.json").json_body
    key = partner()["api_key"]
    filed = client.http.post(f"{BASE}//requests.json", headers=FORM, body=urlencode({**FILING, "api_key": key}))
    assert filed.status_code == 201
    [req] = filed.json_body
    by_id = client.http.get(f"{BASE}//requests/{req['service_request_id']}.json?api_key={key}")
    assert by_id.status_code == 200 and by_id.json_body[0]["service_request_id"] == req["service_request_id"]


@pytest.mark.parametrize("path,fmt", [("service/x", "json"), ("service/x.xml", "xml"), ("a/b/c.json", "json"),
                                      ("services/yol_kaldirim/extra.xml", "xml"), ("/requests/x/y.xml", "xml")])
def test_an_unknown_path_is_404_in_the_specifications_shape_never_the_gateways_403(client, path, fmt):
    resp = client.http.get(f"{BASE}/{path}")
    assert resp.status_code == 404
    if fmt == "xml":
        root = xml(resp)
        assert root.tag == "errors" and root.findtext("error/code") == "404"
        assert "Open311 kaynağı yok" in root.findtext("error/description")
    else:
        [error] = resp.json_body
        assert error["code"] == 404 and error["error_code"] == "unknown_resource"
    assert "Missing Authentication Token" not in resp.body.decode()
    assert client.http.post(f"{BASE}/{path}", headers=FORM, body="a=1").status_code == 404


@pytest.mark.parametrize("root", [BASE, BASE + "/", BASE + "//"])
def test_the_root_of_the_endpoint_answers_the_discovery(client, root):
    resp = client.http.get(root)
    assert resp.status_code == 200 and resp.json_body["endpoints"][0]["url"].endswith("/open311/v2/")


# --- following --------------------------------------------------------------------------------

def _journey(client, staff, aws, key):
    """Filed through Open311, forwarded by routing, answered by the institution, concluded."""
    [receipt] = file(client, key).json_body
    no = receipt["service_request_id"]
    route_all(aws)
    [mail] = [m for m in outbox()["email"] if no in m["subject"] and m["links"]]
    token = mail["links"][0].split("#t=", 1)[1]
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    route_all(aws)
    r = act(client, staff, no, "conclude", {"outcome": "positive",
                                            "answer": "Kaldırım onarıldı; ilginiz için teşekkür ederiz."})
    assert r.status_code == 200, r.body
    route_all(aws)
    return receipt


def test_a_partner_follows_its_request_through_the_whole_journey(client, staff, partner, aws):
    key = partner()["api_key"]
    receipt = _journey(client, staff, aws, key)
    no = receipt["service_request_id"]
    [item] = client.http.get(f"{BASE}/requests/{no}.json?api_key={key}&extensions=true").json_body
    assert item["status"] == "closed" and item["service_code"] == "yol_kaldirim"
    assert item["agency_responsible"] == "Maltepe Belediye Başkanlığı"
    assert item["requested_datetime"].endswith("+03:00") and item["expected_datetime"].endswith("+03:00")
    assert item["status_notes"] and item["extended_attributes"]["status_code"] == "concluded"
    notes = item["extended_attributes"]["notes"]
    assert [n["status_code"] for n in notes][:2] == ["received", "forwarded"] and notes[-1]["status_code"] == \
        "concluded"
    assert not any(p in json.dumps(item, ensure_ascii=False) for p in PERSONAL)
    updates = client.http.get(f"{BASE}/servicerequestupdates.json?api_key={key}").json_body
    mine = [u for u in updates if u["service_request_id"] == no]
    assert [u["external_status_code"] for u in mine][0] == "received"
    assert "forwarded" in [u["external_status_code"] for u in mine]
    assert mine[-1]["status"] == "FIXED" and mine[-1]["external_status_code"] == "concluded"
    assert {"update_id", "updated_datetime", "description"} <= set(mine[0])
    assert len({u["update_id"] for u in updates}) == len(updates)
    root = xml(client.http.get(f"{BASE}/servicerequestupdates.xml?api_key={key}"))
    assert root.tag == "service_request_updates" and root.find("request_update/external_status_code") is not None
    assert not any(p in client.http.get(f"{BASE}/servicerequestupdates.json?api_key={key}").body.decode()
                   for p in PERSONAL)


def test_every_filter_of_get_requests(client, partner):
    key = partner()["api_key"]
    [road] = file(client, key).json_body
    [park] = file(client, key, service_code="park_bahce").json_body
    nos = lambda r: sorted(i["service_request_id"] for i in r.json_body)  # noqa: E731
    everything = client.http.get(f"{BASE}/requests.json?api_key={key}")
    assert nos(everything) == sorted([road["service_request_id"], park["service_request_id"]])
    assert nos(client.http.get(f"{BASE}/requests.json?api_key={key}&service_code=park_bahce")) == \
        [park["service_request_id"]]
    assert nos(client.http.get(f"{BASE}/requests.json?api_key={key}&status=closed")) == []
    assert len(nos(client.http.get(f"{BASE}/requests.json?api_key={key}&status=open"))) == 2
    assert nos(client.http.get(f"{BASE}/requests.json?api_key={key}&jurisdiction_id=06-cankaya")) == []
    # the ids override the other filters
    by_id = client.http.get(f"{BASE}/requests.json?api_key={key}&status=closed&service_request_id="
                            f"{park['service_request_id']},{road['service_request_id']}")
    assert [i["service_request_id"] for i in by_id.json_body] == [park["service_request_id"],
                                                                  road["service_request_id"]]
    now = datetime.now(timezone.utc)
    future = (now + timedelta(days=1)).astimezone().isoformat(timespec="seconds")
    assert nos(client.http.get(f"{BASE}/requests.json?" + urlencode({"api_key": key, "start_date": future}))) == []
    past = (now - timedelta(days=2)).isoformat(timespec="seconds")
    assert len(nos(client.http.get(f"{BASE}/requests.json?" + urlencode({"api_key": key, "start_date": past})))) == 2
    root = xml(client.http.get(f"{BASE}/requests.xml?api_key={key}"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 2
    assert root.find("request/expected_datetime").text.endswith("+03:00")


@pytest.mark.parametrize("query,field", [
    ({"start_date": "2026-01-01T00:00:00+03:00", "end_date": "2026-05-01T00:00:00+03:00"}, "end_date"),
    ({"start_date": "2026-05-01T00:00:00+03:00", "end_date": "2026-04-01T00:00:00+03:00"}, "end_date"),
    ({"start_date": "dün"}, "start_date"),
    ({"start_date": "2026-05-01T00:00:00"}, "start_date"),
    ({"status": "pending"}, "status"),
])
def test_the_90_day_window_and_bad_filters_are_400(client, partner, query, field):
    key = partner()["api_key"]
    for fmt in ("json", "xml"):
        resp = client.http.get(f"{BASE}/requests.{fmt}?" + urlencode({"api_key": key, **query}))
        assert resp.status_code == 400
        description = resp.json_body[0]["description"] if fmt == "json" else xml(resp).findtext("error/description")
        assert description.startswith(field + ":")


# --- privacy and budgets ------------------------------------------------------------------------

def test_another_partners_key_gets_404_and_keyless_reads_only_status_fields(client, partner, aws, aws_calls,
                                                                             same_minute):
    first, second = partner()["api_key"], partner(name="Kent Uygulaması")["api_key"]
    [receipt] = file(client, first).json_body
    no = receipt["service_request_id"]
    assert client.http.get(f"{BASE}/requests/{no}.json?api_key={second}").status_code == 404
    assert client.http.get(f"{BASE}/requests.json?api_key={second}&service_request_id={no}").json_body == []
    assert client.http.get(f"{BASE}/requests.json?api_key={second}").json_body == []
    client.http.get(f"{BASE}/requests.json?api_key={first}")        # this minute's first read with the key
    aws_calls.reset()
    [public] = client.http.get(f"{BASE}/requests/{no}.json").json_body
    # the client's slot taken before the read (one conditional update), the case, the slot given back
    assert aws_calls.operations("dynamodb") == ["UpdateItem", "GetItem", "UpdateItem"]
    assert set(public) == {"service_request_id", "status", "service_code", "service_name", "agency_responsible",
                           "requested_datetime", "updated_datetime", "expected_datetime"}
    assert client.http.get(f"{BASE}/requests.json").json_body == []          # no ids, no list
    aws_calls.reset()
    [keyed] = client.http.get(f"{BASE}/requests/{no}.json?api_key={first}").json_body
    assert aws_calls.operations("dynamodb") == ["UpdateItem", "BatchGetItem"]   # the key, then the case
    assert "status_notes" in keyed


def test_keyless_unknown_and_withheld_ids_look_the_same_and_are_throttled(client, application, partner):
    from tests.integration.helpers import submit
    web = submit(client, application)   # filed on the web: not served by number without its code
    from chalicelib.domain import numbers
    unknown = numbers.format_application_no(numbers.new_application_no())
    for no in (web["application_no"], unknown):
        resp = client.http.get(f"{BASE}/requests/{no}.json")
        assert resp.status_code == 404 and resp.json_body[0]["code"] == 404
    assert client.http.get(f"{BASE}/requests.json?service_request_id={unknown},{web['application_no']}").json_body \
        == []
    statuses = [client.http.get(f"{BASE}/requests/{numbers.format_application_no(numbers.new_application_no())}.json")
                .status_code for _ in range(22)]
    assert 429 in statuses and statuses[0] == 404


def test_a_confidential_ihbar_shows_nothing_but_its_status_without_a_key(client, partner):
    key = partner()["api_key"]
    [receipt] = file(client, key, **{"attribute[type]": "ihbar", "attribute[confidential]": "true"}).json_body
    [public] = client.http.get(f"{BASE}/requests/{receipt['service_request_id']}.json").json_body
    assert public == {"service_request_id": receipt["service_request_id"], "status": "open"}


def test_a_partners_list_is_an_index_query_never_a_scan(client, partner, aws_calls, same_minute):
    key = partner()["api_key"]
    for _ in range(3):
        file(client, key)
    client.http.get(f"{BASE}/requests.json?api_key={key}")          # this minute's first read with the key
    aws_calls.reset()
    assert len(client.http.get(f"{BASE}/requests.json?api_key={key}").json_body) == 3
    ops = aws_calls.operations("dynamodb")
    assert "Scan" not in ops and ops == ["UpdateItem", "Query", "BatchGetItem"]
    assert aws_calls.items_evaluated() <= 3 + 3 + 1


# --- partner keys (admin) ------------------------------------------------------------------------

def test_only_an_admin_issues_lists_and_revokes_keys_and_only_the_hmac_is_stored(client, staff, partner, aws):
    assert staff_post(client, staff, "sorumlu.maltepe", "/v1/staff/partners",
                      {"name": "X", "contact": "x@x.example", "districts": ["34-maltepe"]}).status_code == 403
    issued = partner()
    key = issued["api_key"]
    file(client, key)
    listed = client.http.get("/v1/staff/partners", headers=staff.headers("yonetici")).json_body["partners"]
    [mine] = [p for p in listed if p["id"] == issued["partner"]["id"]]
    assert mine["uses"] == 1 and mine["active"] and mine["districts"] == ["34-maltepe"]
    assert key not in json.dumps(listed)
    import boto3
    items = boto3.client("dynamodb", region_name="eu-central-1").scan(TableName=aws["MAIN_TABLE"])["Items"]
    assert key not in str(items)
    bad = staff_post(client, staff, "yonetici", "/v1/staff/partners", {"name": "Y", "contact": "", "districts": []})
    assert bad.status_code == 422 and {e["field"] for e in bad.json_body["errors"]} >= {"districts", "contact"}
    assert staff_post(client, staff, "yonetici", "/v1/staff/partners/p-yok/revoke", {}).status_code == 404
    staff_post(client, staff, "yonetici", f"/v1/staff/partners/{issued['partner']['id']}/revoke", {})
    again = staff_post(client, staff, "yonetici", f"/v1/staff/partners/{issued['partner']['id']}/revoke", {})
    assert again.status_code == 409
    from chalicelib.bootstrap import ports
    actions = [e["action"] for e in ports().audit.trail(f"PARTNER-{issued['partner']['id']}")]
    assert actions == ["issue_partner_key", "revoke_partner_key"]


def test_an_idempotency_key_belongs_to_the_caller_that_sent_it(client, partner, aws, same_minute):
    """Issue 36: partner B, sending the demo partner's body and Idempotency-Key, received the
    demo partner's receipt with its access code. A key is now scoped to its caller."""
    first, second = partner()["api_key"], partner(name="Kent Uygulaması")["api_key"]
    form = urlencode({**FILING, "api_key": first})
    a = client.http.post(f"{BASE}/requests.json", headers={**FORM, "Idempotency-Key": "talep-0001"}, body=form)
    again = client.http.post(f"{BASE}/requests.json", headers={**FORM, "Idempotency-Key": "talep-0001"}, body=form)
    assert a.status_code == again.status_code == 201
    assert again.json_body == a.json_body                                   # its own retry: the same receipt
    other = client.http.post(f"{BASE}/requests.json", headers={**FORM, "Idempotency-Key": "talep-0001"},
                             body=urlencode({**FILING, "api_key": second}))
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    [mine], [theirs] = a.json_body, other.json_body
    assert theirs["service_request_id"] != mine["service_request_id"]
    assert mine.get("token") is None or theirs.get("token") != mine.get("token")
    from tests.conftest import VALID_APPLICATION
    web = client.http.post("/v1/applications", headers={"Content-Type": "application/json",
                                                         "Idempotency-Key": "talep-0001"},
                           body=json.dumps(VALID_APPLICATION))                  # nor is it the web's
    assert web.status_code == 201 and "Idempotent-Replayed" not in web.headers


def test_a_field_name_xml_cannot_carry_is_echoed_without_breaking_the_xml(client, partner):
    """Issue 36: a field named `\\x01\\x00` was echoed raw into the XML error, which no parser
    could read. Everything written into XML drops the characters XML 1.0 cannot carry."""
    key = partner()["api_key"]
    body = urlencode({**FILING, "api_key": key, "ad\x01\x00x\ufffe": "1"})
    resp = client.http.post(f"{BASE}/requests.xml", headers=FORM, body=body)
    assert resp.status_code == 400
    errors = xml(resp)                                       # parses
    text = ET.tostring(errors, encoding="unicode")
    assert "\x01" not in text and "\x00" not in text and "adx" in text


def test_a_filtered_or_paged_list_reads_in_full_only_the_cases_it_answers(client, partner, aws_calls, same_minute):
    """Issue 39: 1,500 requests of one partner, 10 of one service: the filter runs in the
    partner index, so the full items read are the 10 (and a page of 4, 4); before, 1,000
    full items were read, consistently, and filtered in Python."""
    from datetime import datetime, timedelta, timezone

    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.adapters.dynamodb.models import CaseItem
    from chalicelib.bootstrap import ports
    from chalicelib.domain import numbers
    from tests.integration.test_budgets_at_scale import _case
    issued = partner()
    key, pid = issued["api_key"], issued["partner"]["id"]
    now = datetime.now(timezone.utc)
    with CaseItem.batch_write() as batch:
        for i in range(1_500):
            case = _case(i, Status.FORWARDED)
            case.application_no = numbers.new_application_no()
            case.received_at = now - timedelta(days=1, minutes=i)
            case.history = [HistoryEntry(case.received_at, Status.RECEIVED, "alındı")]
            case.category = "park_bahce" if i % 150 == 0 else "yol_kaldirim"
            case.partner = {"id": pid, "name": "Maltepe Belediyesi Mobil"}
            batch.save(case_to_item(case, ports().keys))
    client.http.get(f"{BASE}/requests.json?api_key={key}&page_size=1")         # the minute's first use of the key

    def full_items():
        return sum(len(rows) for s, op, parsed in aws_calls.calls if op == "BatchGetItem"
                   for rows in parsed.get("Responses", {}).values())
    aws_calls.reset()
    parks = client.http.get(f"{BASE}/requests.json?api_key={key}&service_code=park_bahce").json_body
    assert len(parks) == 10 and {r["service_code"] for r in parks} == {"park_bahce"}
    assert full_items() == 10 and "Scan" not in aws_calls.operations("dynamodb")
    aws_calls.reset()
    page2 = client.http.get(f"{BASE}/requests.json?api_key={key}&service_code=park_bahce&page=2&page_size=4").json_body
    assert [r["service_request_id"] for r in page2] == [r["service_request_id"] for r in parks[4:8]]
    assert full_items() == 4
    empty = client.http.get(f"{BASE}/requests.json?api_key={key}&page=").json_body      # empty is as if not passed
    assert len(empty) == 1_000
    bad = client.http.get(f"{BASE}/requests.json?api_key={key}&page_size=5000")
    assert bad.status_code == 400 and bad.json_body[0]["description"].startswith("page_size")


def test_the_specification_to_the_letter_on_optional_and_query_parameters(client, partner, same_minute):
    """Issue 40: an empty optional parameter answers as if it were not passed; a filing's
    jurisdiction_id may come in the query string, as its api_key may."""
    two = partner(districts=("34-maltepe", "06-cankaya"))["api_key"]
    without = {k: v for k, v in FILING.items() if k != "jurisdiction_id"}
    missing = client.http.post(f"{BASE}/requests.json", headers=FORM, body=urlencode({**without, "api_key": two}))
    assert missing.status_code == 400 and missing.json_body[0]["field"] == "jurisdiction_id"
    in_query = client.http.post(f"{BASE}/requests.json?jurisdiction_id=34-maltepe&api_key={two}", headers=FORM,
                                body=urlencode(without))
    assert in_query.status_code == 201, in_query.body
    listed = client.http.get(f"{BASE}/requests.json?api_key={two}").json_body
    empty = client.http.get(f"{BASE}/requests.json?api_key={two}&service_request_id=").json_body
    assert empty == listed and len(listed) == 1
