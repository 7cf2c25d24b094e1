"""Citizen API through chalice.test.Client against moto: errors, idempotency,
budgets, throttling, storage and logs."""
from __future__ import annotations

import json
import threading

import pytest

from tests.integration.helpers import H, submit


def post(client, body, headers=None):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.http.post("/v1/applications", headers={**H, **(headers or {})}, body=data)


def track(client, no, code):
    headers = {"X-Access-Code": code} if code is not None else {}
    return client.http.get(f"/v1/applications/{no}", headers=headers)


def test_submit_returns_a_receipt_and_tracking_shows_it(client, application):
    receipt = submit(client, application)
    assert receipt["status"] == "received"
    assert receipt["type"] == "sikayet" and receipt["district"] == "34-maltepe"
    assert receipt["received_at"].endswith("+03:00")
    assert len(receipt["access_code"].replace("-", "")) == 10

    resp = track(client, receipt["application_no"], receipt["access_code"])
    assert resp.status_code == 200
    body = resp.json_body
    assert body["status"] == "received"
    assert body["subject"] == "Kaldırım çökmüş"
    assert body["legal_due_date"] == receipt["legal_due_date"]
    assert [h["status"] for h in body["history"]] == ["received"]
    assert body["final_answer"] is None
    text = resp.body.decode()
    for secret in ("10000000146", "5321234567", "Bağdat Cad", "Ayşe", "Yılmaz", "yayalar"):
        assert secret not in text


def test_tracking_accepts_the_number_without_dashes_and_in_lower_case(client, application):
    receipt = submit(client, application)
    no = receipt["application_no"].replace("-", "").lower()
    assert track(client, no, receipt["access_code"].lower()).status_code == 200


def test_legal_due_date_for_an_information_request_counts_working_days(client, application):
    from datetime import datetime, timezone

    from chalicelib import bootstrap
    from tests.helpers import real_ports
    bootstrap.override(real_ports(now=datetime(2026, 3, 16, 9, tzinfo=timezone.utc)))   # Mon 16 Mar 2026
    application.update(type="bilgi_edinme", category="okul_kayit")
    receipt = submit(client, application)
    # 17-19 Mar (19th: arife, a working day), 20-22 Mar Ramazan Bayramı, then 23 Mar …:
    # the 15th working day is Tue 7 Apr 2026
    assert receipt["received_at"] == "2026-03-16T12:00:00+03:00"
    assert receipt["legal_due_date"] == "2026-04-07"


def test_submission_message_goes_to_the_routing_queue_without_personal_data(client, application, aws):
    import boto3
    receipt = submit(client, application)
    sqs = boto3.client("sqs", region_name="eu-central-1")
    msgs = sqs.receive_message(QueueUrl=aws["ROUTING_QUEUE_URL"], MaxNumberOfMessages=10)["Messages"]
    assert len(msgs) == 1
    body = json.loads(msgs[0]["Body"])
    assert body["type"] == "application.received" and body["version"] == 1
    assert body["application_no"] == receipt["application_no"].replace("-", "")
    assert "10000000146" not in msgs[0]["Body"] and "5321234567" not in msgs[0]["Body"]   # the whole number: a random one may hold "532"


def test_personal_data_is_encrypted_at_rest(client, application, aws):
    import boto3
    receipt = submit(client, dict(application, location={"lat": 40.9351, "lon": 29.1302}))
    no = receipt["application_no"].replace("-", "")
    raw = boto3.client("dynamodb", region_name="eu-central-1").get_item(
        TableName=aws["MAIN_TABLE"], Key={"pk": {"S": f"CASE#{no}"}, "sk": {"S": "CASE"}})["Item"]
    import zlib
    log = zlib.decompress(raw.pop("log_z")["B"]).decode()     # compressed, not sealed: looked into too
    dump = json.dumps(raw, ensure_ascii=False) + log
    for secret in ("10000000146", "5321234567", "Ayşe", "Bağdat Cad", "yayalar", receipt["access_code"],
                   "40.9351", "29.1302"):
        assert secret not in dump
    assert raw["gsi3pk"]["S"].startswith("A#") and raw["applicant_enc"]["S"].startswith("v1:")
    assert "location" not in raw and raw["location_enc"]["S"].startswith("v1:")
    # and the repository reads it back
    from chalicelib.bootstrap import ports
    case = ports().cases.get(no)
    assert case.applicant.national_id == "10000000146" and case.applicant.phone == "+905321234567"
    assert case.location == {"lat": 40.9351, "lon": 29.1302}


# --- budgets -------------------------------------------------------------------

def test_submit_budget_is_one_dynamodb_call_and_one_sqs_call(client, application, aws_calls):
    """One transaction and one message; the set of onboarded offices (where the application
    goes) is read once per container a minute, whatever the number of offices."""
    submit(client, application)
    assert aws_calls.operations("dynamodb") == ["GetItem", "TransactWriteItems"] and aws_calls.items_evaluated() <= 1
    aws_calls.reset()
    submit(client, application)
    assert aws_calls.operations("dynamodb") == ["TransactWriteItems"]
    assert aws_calls.operations("sqs") == ["SendMessage"]


def test_transactions_reuse_one_client(client, application, aws, monkeypatch):
    """A warm process makes no new botocore client per transaction: each one used to, and
    parsing the endpoint rules again was most of a warm transaction's own time."""
    import botocore.session

    from tests.integration import helpers
    from tests.integration.helpers import route_all
    queue_client = helpers.sqs()
    monkeypatch.setattr(helpers, "sqs", lambda: queue_client)      # the test's own reads of the queues
    submit(client, application)
    route_all(aws)                                   # every kind of client this path needs, made once
    made = []
    original = botocore.session.Session.create_client
    monkeypatch.setattr(botocore.session.Session, "create_client",
                        lambda self, *a, **k: made.append(a[0] if a else k.get("service_name")) or original(
                            self, *a, **k))
    for i in range(3):                               # submissions (TransactWriteItems), routing (TransactGet too)
        submit(client, dict(application, description=application["description"] + f" ({i})"))
        route_all(aws)
    assert made == []


def test_a_process_makes_one_botocore_session_and_one_dynamodb_client(client, application, aws, monkeypatch):
    """pynamodb would give every model class its own botocore session and client, and each
    boto3 client here had its own session: about 30 ms of a cold start each. A fresh
    process now makes one session, one DynamoDB client for every model and transaction,
    and one client per other service, however many models a journey touches."""
    import botocore.session

    from chalicelib import bootstrap
    from tests.integration import helpers
    from tests.integration.helpers import route_all
    queue_client = helpers.sqs()
    monkeypatch.setattr(helpers, "sqs", lambda: queue_client)      # the test's own reads of the queues
    bootstrap.reset()                                # as a new container: nothing made yet
    sessions, clients = [], []
    original_init, original_create = botocore.session.Session.__init__, botocore.session.Session.create_client
    monkeypatch.setattr(botocore.session.Session, "__init__",
                        lambda self, *a, **k: sessions.append(1) or original_init(self, *a, **k))
    monkeypatch.setattr(botocore.session.Session, "create_client",
                        lambda self, *a, **k: clients.append(a[0] if a else k.get("service_name")) or original_create(
                            self, *a, **k))
    receipt = submit(client, application)          # the case, counters, idempotency: a transaction; SQS
    route_all(aws)                                  # the routing worker: reads, a transaction, SES and SNS
    assert track(client, receipt["application_no"], receipt["access_code"]).status_code == 200
    assert len(sessions) == 1
    assert clients.count("dynamodb") == 1
    assert len(clients) == len(set(clients))        # one client per service


def test_track_budget_take_a_slot_read_give_it_back(client, application, aws_calls):
    receipt = submit(client, application)
    aws_calls.reset()
    assert track(client, receipt["application_no"], receipt["access_code"]).status_code == 200
    # the number's slot and the client's (each check-and-count in one conditional write, taken
    # before the code is compared), the case, and both slots given back
    assert aws_calls.operations("dynamodb") == ["UpdateItem", "UpdateItem", "GetItem", "UpdateItem", "UpdateItem"]
    assert aws_calls.count("sqs") == 0 and aws_calls.items_evaluated() <= 3
    aws_calls.reset()
    assert track(client, receipt["application_no"], "AAAAA-AAAAA").status_code == 404
    assert aws_calls.operations("dynamodb") == ["UpdateItem", "UpdateItem", "GetItem"]   # both slots kept: failures


# --- idempotency ---------------------------------------------------------------

def _case_count(aws) -> int:
    import boto3
    items = boto3.client("dynamodb", region_name="eu-central-1").scan(TableName=aws["MAIN_TABLE"])["Items"]
    return sum(1 for i in items if i["sk"]["S"] == "CASE")


def test_same_idempotency_key_and_body_returns_the_original_response(client, application, aws):
    first = post(client, application, {"Idempotency-Key": "k-123"})
    second = post(client, application, {"Idempotency-Key": "k-123"})
    assert first.status_code == second.status_code == 201
    assert first.json_body == second.json_body
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _case_count(aws) == 1


def test_same_idempotency_key_with_another_body_is_a_conflict(client, application, aws):
    assert post(client, application, {"Idempotency-Key": "k-9"}).status_code == 201
    application["subject"] = "Başka bir konu"
    resp = post(client, application, {"Idempotency-Key": "k-9"})
    assert resp.status_code == 409
    assert resp.json_body["error"]["code"] == "idempotency_key_reused"
    assert resp.json_body["error"]["field"] == "Idempotency-Key"
    assert _case_count(aws) == 1


def test_two_parallel_submissions_with_one_key_make_one_case(aws, application):
    from chalicelib.bootstrap import ports
    from chalicelib.services import applications

    results, barrier = [], threading.Barrier(2)

    def go():
        barrier.wait()
        results.append(applications.submit(ports(), json.loads(json.dumps(application)),
                                           idempotency_key_header="parallel-1"))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert results[0].body == results[1].body
    assert _case_count(aws) == 1


def test_an_invalid_idempotency_key_is_refused(client, application):
    resp = post(client, application, {"Idempotency-Key": "x" * 200})
    assert resp.status_code == 400
    assert resp.json_body["error"]["field"] == "Idempotency-Key"


# --- bad input -----------------------------------------------------------------

def test_field_errors_come_back_as_422_naming_the_field(client, application):
    application["applicant"]["national_id"] = "12345678901"
    resp = post(client, application)
    assert resp.status_code == 422
    err = resp.json_body["error"]
    assert err == {"code": "invalid_national_id", "field": "applicant.national_id",
                   "message": "T.C. Kimlik No / YKN geçersiz: 11 haneli, doğrulama basamakları tutan bir numara giriniz."}


@pytest.mark.parametrize("mutation, field, code", [
    (lambda a: a.pop("type"), "type", "required"),
    (lambda a: a.update(category="yok"), "category", "unknown_category"),
    (lambda a: a.update(district="99-yok"), "district", "unknown_district"),
    (lambda a: a.update(subject="x" * 151), "subject", "too_long"),
    (lambda a: a.update(description="x" * 4001), "description", "too_long"),
    (lambda a: a["applicant"].update(phone="123"), "applicant.phone", "invalid_phone"),
    (lambda a: a["applicant"].pop("address"), "applicant.address", "required"),
    (lambda a: a["applicant"].update(email="nope"), "applicant.email", "invalid_email"),
    (lambda a: a.update(location={"lat": 48.85, "lon": 2.35}), "location", "outside_turkey"),
    (lambda a: a.update(kvkk_acknowledged=False), "kvkk_acknowledged", "kvkk_not_acknowledged"),
    (lambda a: a.update(channel="face_to_face"), "channel", "invalid_choice"),
    (lambda a: a.update(confidential_identity=True), "confidential_identity", "confidential_not_allowed"),
])
def test_every_field_error_over_http(client, application, aws, mutation, field, code):
    mutation(application)
    resp = post(client, application)
    assert resp.status_code == 422
    assert (field, code) in {(e["field"], e["code"]) for e in resp.json_body["errors"]}
    assert _case_count(aws) == 0


def test_malformed_json_is_400(client):
    resp = post(client, b'{"type": ')
    assert resp.status_code == 400 and resp.json_body["error"]["code"] == "invalid_json"


def test_nan_is_not_json(client, application):
    raw = json.dumps(application).replace('"channel": "web"', '"channel": "web", "location": {"lat": NaN, "lon": 1}')
    assert post(client, raw).status_code == 400


def test_a_body_that_is_not_an_object_is_422(client):
    resp = post(client, [1, 2])
    assert resp.status_code == 422 and resp.json_body["error"]["code"] == "invalid_body"


def test_wrong_content_type_is_415(client, application):
    resp = client.http.post("/v1/applications", headers={"Content-Type": "text/plain"}, body=json.dumps(application))
    assert resp.status_code == 415
    assert resp.json_body["error"]["code"] == "unsupported_media_type"


def test_body_over_64_kib_is_413(client, application):
    application["description"] = "x" * (65 * 1024)
    resp = post(client, application)
    assert resp.status_code == 413 and resp.json_body["error"]["code"] == "body_too_large"


def test_invalid_utf8_is_400(client):
    assert post(client, b'{"type": "\xff"}').status_code == 400


# --- tracking ------------------------------------------------------------------

def test_malformed_number_is_400_before_any_lookup(client, aws_calls):
    resp = track(client, "XB6Q-479A-GN", "AAAAA-AAAAA")
    assert resp.status_code == 400 and resp.json_body["error"]["field"] == "application_no"
    assert aws_calls.count("dynamodb") == 0


def test_wrong_code_missing_code_and_unknown_number_look_the_same(client, application):
    receipt = submit(client, application)
    from chalicelib.domain import numbers
    unknown = numbers.format_application_no(numbers.new_application_no())
    wrong = track(client, receipt["application_no"], "AAAAA-AAAAA")
    missing = track(client, receipt["application_no"], None)
    nobody = track(client, unknown, "AAAAA-AAAAA")
    assert wrong.status_code == missing.status_code == nobody.status_code == 404
    assert wrong.body == missing.body == nobody.body


def test_repeated_failures_for_a_number_are_throttled(client, application):
    receipt = submit(client, application)
    for _ in range(5):
        assert track(client, receipt["application_no"], "AAAAA-AAAAA").status_code == 404
    blocked = track(client, receipt["application_no"], receipt["access_code"])
    assert blocked.status_code == 429
    assert blocked.json_body["error"]["code"] == "too_many_attempts"
    assert int(blocked.headers["Retry-After"]) > 0


def test_repeated_failures_from_one_client_are_throttled_across_numbers(client, application):
    from chalicelib.domain import numbers
    receipt = submit(client, application)
    for _ in range(20):
        assert track(client, numbers.format_application_no(numbers.new_application_no()), "AAAAA-AAAAA").status_code == 404
    assert track(client, receipt["application_no"], receipt["access_code"]).status_code == 429


# --- catalogue, health, openapi --------------------------------------------------

def test_catalog_has_every_province_and_district_and_cache_headers(client):
    resp = client.http.get("/v1/catalog")
    assert resp.status_code == 200
    assert "max-age" in resp.headers["Cache-Control"] and resp.headers["ETag"]
    body = resp.json_body
    assert len(body["provinces"]) == 81
    # every district, and each province as a whole ("İl geneli (Valilik)", listed first)
    assert sum(len(p["districts"]) for p in body["provinces"]) == 973 + 81
    assert all(p["districts"][0] == {"code": f"{p['code']}-il", "name": "İl geneli (Valilik)"}
               for p in body["provinces"])
    names = {(p["name"], d["name"]) for p in body["provinces"] for d in p["districts"]}
    assert {("İstanbul", "Maltepe"), ("Ankara", "Çankaya"), ("Hakkari", "Yüksekova")} <= names
    assert {t["code"] for t in body["types"]} == {"talep", "sikayet", "ihbar", "oneri", "bilgi_edinme",
                                                  "tesekkur", "yonetime_katil"}
    assert len(body["headings"]) >= 8 and sum(len(h["subjects"]) for h in body["headings"]) >= 40
    again = client.http.get("/v1/catalog", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304


def test_health(client):
    assert client.http.get("/v1/health").json_body == {"status": "ok"}


def test_openapi_document_matches_the_routes(client):
    from app import app
    doc = client.http.get("/v1/openapi.json").json_body
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    from chalicelib.services.office import ACTIONS
    # each declared action documented alone; API Gateway's greedy `{proxy+}` as a plain `{proxy}`
    routed = {(path.replace("{action}", name).replace("+}", "}"), method) for path, entries in app.routes.items()
              for method in entries for name in (ACTIONS if "{action}" in path else ["{action}"])}
    assert documented == routed
    forward = doc["paths"]["/v1/staff/cases/{application_no}/forward"]["post"]
    assert forward["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ForwardIn")
    schemas = doc["components"]["schemas"]
    assert "ApplicationIn" in schemas and "national_id" in schemas["ApplicantIn"]["properties"]
    assert "survey_token" in schemas["TrackOut"]["properties"] and "CaseDetailOut" in schemas


def test_every_api_route_declares_the_model_of_its_success_response():
    from app import app
    from chalicelib.api.http import OPERATIONS
    assert app.routes                                    # importing the app registered them
    untyped = {(op.method, op.path) for op in OPERATIONS
               if not any(200 <= status < 300 and model for status, (_, model) in op.responses.items())}
    # documents (the catalogue, this OpenAPI document), the local-only outbox and Open311,
    # whose bodies are the GeoReport v2 shapes in XML or JSON (tests/integration/test_open311.py)
    open311 = {(op.method, op.path) for op in OPERATIONS if op.path.startswith("/open311/v2")}
    assert len(open311) == 6          # the root, the catch-all (GET, POST), services/, requests/, tokens/
    assert untyped == {("GET", "/v1/catalog"), ("GET", "/v1/openapi.json"), ("GET", "/v1/dev/outbox"),
                       ("GET", "/v1/staff/cases/export"),                 # the export: a CSV document
                       ("GET", "/v1/applications/{application_no}/receipt.pdf")} | open311   # a PDF


def test_a_response_that_drifts_from_its_model_is_a_logged_500_without_the_body(client, application, monkeypatch):
    import io

    from chalicelib.logs import logger
    from chalicelib.services import tracking
    real = tracking.track

    def drifted(*args, **kwargs):
        return dict(real(*args, **kwargs), national_id="10000000146")   # a field no model declares
    receipt = submit(client, application)
    monkeypatch.setattr(tracking, "track", drifted)
    handler = logger().registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        resp = track(client, receipt["application_no"], receipt["access_code"])
    finally:
        handler.setStream(previous)
    assert resp.status_code == 500 and resp.json_body["error"]["code"] == "internal_error"
    assert "10000000146" not in resp.body.decode() and "10000000146" not in buffer.getvalue()
    [entry] = [json.loads(x) for x in buffer.getvalue().splitlines() if "does not match" in x]
    assert entry["model"] == "TrackOut" and entry["places"] == ["national_id:extra_forbidden"]


# --- logs ----------------------------------------------------------------------

def test_logs_carry_no_personal_data(client, application):
    import io

    from chalicelib.logs import logger
    handler = logger().registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        receipt = submit(client, application)
        track(client, receipt["application_no"], receipt["access_code"])
        track(client, receipt["application_no"], "AAAAA-AAAAA")
        bad = dict(application, applicant=dict(application["applicant"], phone="0216 111 22 33"))
        post(client, bad)
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    assert [entry["status"] for entry in lines if entry["message"] == "request"] == [201, 200, 404, 422]
    assert all(entry.get("request_id") for entry in lines)
    logs = buffer.getvalue()
    for secret in ("10000000146", "5321234567", "532 123", "Ayşe", "Yılmaz", "Bağdat", "yayalar",
                   "0216 111 22 33", "ayse@example.com"):
        assert secret not in logs


def test_a_key_given_twice_is_400_naming_it_and_nothing_is_recorded(client, application, aws_calls):
    body = json.dumps(dict(application, kvkk_acknowledged=False))[:-1] + ', "kvkk_acknowledged": true}'
    aws_calls.reset()
    resp = client.http.post("/v1/applications", headers={"Content-Type": "application/json"}, body=body)
    assert resp.status_code == 400
    assert resp.json_body["error"] == {"code": "duplicate_key", "field": "kvkk_acknowledged",
                                       "message": "İstek gövdesinde aynı alan birden fazla kez yazılmış."}
    assert aws_calls.count("dynamodb") == 0 and aws_calls.count("sqs") == 0
