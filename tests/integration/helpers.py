"""Helpers the integration test modules share: submitting, draining and running the
queues like the pump, the local outbox, institution links and office actions."""
from __future__ import annotations

import json
import uuid

import boto3

H = {"Content-Type": "application/json"}
ANSWER = {"text": "Kaldırım onarımı için ekip yönlendirildi; çalışma bu hafta tamamlanacak.",
          "outcome": "positive", "responder_name": "Mehmet Demir", "responder_title": "Fen İşleri Müdürü"}


def submit(client, application, headers=None):
    data = application if isinstance(application, (bytes, str)) else json.dumps(application)
    resp = client.http.post("/v1/applications", headers={**H, **(headers or {})}, body=data)
    assert resp.status_code == 201, resp.body
    return resp.json_body


def tracked(client, receipt):
    return client.http.get(f"/v1/applications/{receipt['application_no']}",
                           headers={"X-Access-Code": receipt["access_code"]}).json_body


def sqs():
    return boto3.client("sqs", region_name="eu-central-1")


def drain(queue_url) -> list[dict]:
    out = []
    while True:
        msgs = sqs().receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            out.append(json.loads(m["Body"]))
            sqs().delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def event(bodies: list) -> dict:
    return {"Records": [{"messageId": str(uuid.uuid4()), "receiptHandle": "rh", "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:q", "awsRegion": "eu-central-1",
                         "body": b if isinstance(b, str) else json.dumps(b)} for b in bodies]}


def run_routing(msgs):
    from app import app
    return app.handler_map["routing_worker"](event(msgs), None)


def run_notifications(msgs):
    from app import app
    return app.handler_map["notification_worker"](event(msgs), None)


def route_all(aws):
    """Delivers the routing queue, then the notification queue, like the pump."""
    routing = drain(aws["ROUTING_QUEUE_URL"])
    if routing:
        assert run_routing(routing) == {"batchItemFailures": []}
    notes = drain(aws["NOTIFICATION_QUEUE_URL"])
    if notes:
        assert run_notifications(notes) == {"batchItemFailures": []}
    return routing, notes


def outbox(*, receipts: bool = False):
    """The local outbox. The citizen's receipt e-mails are left out unless asked for: most
    tests follow the institutions' and the office's mail; test_receipt_email_* look at them."""
    from devstack.outbox import collect
    box = collect()
    if not receipts:
        box["email"] = [m for m in box["email"] if not RECEIPT_SUBJECT.fullmatch(m.get("subject") or "")]
    return box


RECEIPT_SUBJECT = __import__("re").compile(r"Açık Kapı başvurunuz \S+ alındı")


def forwarded_case(client, application, aws):
    receipt = submit(client, application)
    route_all(aws)
    # the institution's e-mail (the citizen's receipt, when an e-mail was given, is another)
    [mail] = [m for m in outbox()["email"] if receipt["application_no"] in m["subject"]
              and any("#t=" in link for link in m["links"])]
    token = next(link for link in mail["links"] if "#t=" in link).split("#t=", 1)[1]
    return receipt, token


def inst_post(client, path, token, body):
    return client.http.post(f"/v1/institution/{path}", headers={**H, "X-Link-Token": token}, body=json.dumps(body))


def staff_post(client, staff, user, path, body):
    return client.http.post(path, headers=staff.headers(user), body=json.dumps(body))


def detail(client, staff, no, user="masa.maltepe"):
    resp = client.http.get(f"/v1/staff/cases/{no}", headers=staff.headers(user))
    assert resp.status_code == 200, resp.body
    return resp.json_body


def act(client, staff, no, action, body, user="masa.maltepe", version=None):
    if version is None:
        version = detail(client, staff, no, user if user != "il.istanbul" else "masa.maltepe")["version"]
    return staff_post(client, staff, user, f"/v1/staff/cases/{no}/{action}", {**body, "version": version})


def closed_case_item(closed_at):
    """The stored item of a case of Maltepe closed (not processed) at `closed_at`, three days
    after it was received: for writing thousands at once in a budget test (batch_write)."""
    from datetime import timedelta

    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.bootstrap import ports
    from chalicelib.domain import numbers
    from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status
    c = Case(application_no=numbers.new_application_no(), access_code_hash="h", type="sikayet", law="3071",
             category="yol_kaldirim", district="34-maltepe", province="34", subject="Kaldırım",
             description="Açıklama metni uzun", applicant=Applicant("10000000146", "Ayşe", "Yılmaz",
                                                                    "+905321234567", "Adres satırı bir"),
             channel="web", received_at=closed_at - timedelta(days=3), receipt_date=closed_at.date(),
             legal_due_date=closed_at.date(), status=Status.NOT_PROCESSED,
             history=[HistoryEntry(closed_at - timedelta(days=3), Status.RECEIVED, "alındı"),
                      HistoryEntry(closed_at, Status.NOT_PROCESSED, "kapandı")])
    return case_to_item(c, ports().keys)
