"""The packaged code, run by the deploy rehearsal (infra/rehearse.py) as Lambda would run
one function: its environment is the one the created stack gave the function, `app.py`
and `chalicelib` come from the unzipped code package (appended to the path, so that the
third-party packages are the virtualenv's: the zip holds arm64 wheels), and the handler is
called with the events Lambda sends. Every AWS call the function makes is recorded, for the
rehearsal to check against the function's role.

    python infra/rehearse_run.py api CODE_DIR PASSWORD SUBMISSION_JSON
    python infra/rehearse_run.py routing CODE_DIR

Prints one `REHEARSAL {json}` line per step and per recorded call.
"""
from __future__ import annotations

import json
import sys
import time

PREFIX = "REHEARSAL "


def say(kind: str, **fields) -> None:
    print(PREFIX + json.dumps({"kind": kind, **fields}, ensure_ascii=False, default=str), flush=True)


def record_calls() -> None:
    from botocore.client import BaseClient
    made = BaseClient._make_api_call

    def recorded(self, operation, params):
        say("call", service=self.meta.service_model.endpoint_prefix, operation=operation, params=params)
        return made(self, operation, params)
    BaseClient._make_api_call = recorded


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "rehearsal", 1024, "rehearsal"
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:rehearsal"

    def get_remaining_time_in_millis(self):
        return 30_000


def http(app, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Host": "rehearsal.execute-api.eu-central-1.amazonaws.com",
               **(headers or {})}
    event = {"resource": path, "path": path, "httpMethod": method, "headers": headers,
             "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
             "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
             "isBase64Encoded": False, "body": None if body is None else json.dumps(body),
             "requestContext": {"resourcePath": path, "httpMethod": method, "stage": "api", "requestId": "rehearsal",
                                "identity": {"sourceIp": "198.51.100.7"}}}
    answer = app(event, Context())
    try:
        payload = json.loads(answer.get("body") or "{}")
    except ValueError:
        payload = {"raw": answer.get("body", "")[:200]}
    return answer["statusCode"], payload


def step(name: str, ok: bool, detail) -> bool:
    say("step", name=name, ok=ok, detail=detail)
    return ok


def api(password: str, submission: dict) -> None:
    import pyotp
    record_calls()
    from app import app
    status, body = http(app, "GET", "/v1/health")
    step("API: GET /v1/health", status == 200, status)
    status, body = http(app, "GET", "/v1/ready")
    step("API: GET /v1/ready", status == 200, body)
    status, body = http(app, "POST", "/v1/applications", submission)
    step("API: POST /v1/applications (a citizen's application)", status == 201, body if status != 201 else
         {"application_no": body.get("application_no")})
    status, body = http(app, "POST", "/v1/staff/session", {"username": "yonetici", "password": password})
    steps = [body.get("challenge")]
    if body.get("challenge") == "new_password":
        status, body = http(app, "POST", "/v1/staff/session/challenge",
                            {"username": "yonetici", "session": body["session"], "challenge": "new_password",
                             "new_password": "Rehearsal-New-2026"})
        steps.append(body.get("challenge"))
    if body.get("challenge") == "mfa_setup":
        left = 30 - time.time() % 30
        if left < 3:
            time.sleep(left + 0.05)
        status, body = http(app, "POST", "/v1/staff/session/challenge",
                            {"username": "yonetici", "session": body["session"], "challenge": "mfa_setup",
                             "code": pyotp.TOTP(body["secret"]).now()})
    signed_in = status == 200 and "id_token" in body
    step("API: a staff member's first sign-in (new password, authenticator app set up, code)", signed_in,
         {"steps": steps, "status": status, **({} if signed_in else {"answer": body})})


def routing() -> None:
    import os

    import boto3
    sqs = boto3.client("sqs")
    url = os.environ["ROUTING_QUEUE_URL"]
    messages = []
    for _ in range(5):                         # Lambda's poller, not the function: not recorded
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        messages += got
        if messages:
            break
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    step("routing: the submission's message is on the routing queue", bool(messages), len(messages))
    event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                          "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                          "eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": "eu-central-1"}
                         for m in messages]}
    record_calls()
    from app import routing_worker
    answer = routing_worker(event, Context())
    failures = (answer or {}).get("batchItemFailures", [])
    step("routing: the worker routed it (no batch item failure)", bool(messages) and failures == [], answer)


def main() -> int:
    role, code_dir = sys.argv[1], sys.argv[2]
    sys.path.append(code_dir)
    try:
        if role == "api":
            api(sys.argv[3], json.loads(sys.argv[4]))
        else:
            routing()
    except Exception as exc:  # noqa: BLE001 - reported, named, and the rehearsal fails
        import traceback
        step(f"{role}: the packaged code raised {type(exc).__name__}", False,
             f"{exc!r} at {traceback.extract_tb(exc.__traceback__)[-1].filename.rsplit('/', 1)[-1]}:"
             f"{traceback.extract_tb(exc.__traceback__)[-1].lineno}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
