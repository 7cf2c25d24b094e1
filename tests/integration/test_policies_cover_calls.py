"""moto does not enforce IAM, so a call the code makes and the policy files forget only
fails in AWS. This runs each function's work against moto, records every DynamoDB, SQS
and S3 operation it performs, and checks that the function's generated policy allows it.
(Found this way: tracking's BatchGetItem was in no policy.)"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from infra.policies import policy
from tests.integration.helpers import ANSWER, act, drain, forwarded_case, inst_post, run_notifications, run_routing

# DynamoDB transactions have no IAM action of their own: each item is checked as its
# PutItem/UpdateItem/DeleteItem/ConditionCheckItem or GetItem (AWS: "Using IAM with
# DynamoDB transactions"), which the recorder cannot see, so they are checked through
# the plain actions they are made of.
# SQS's batch calls are authorised as their single counterparts (no IAM action of their own).
TRANSACTIONS = {"TransactWriteItems": ["PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"],
                "TransactGetItems": ["GetItem"], "SendMessageBatch": ["SendMessage"],
                "DeleteMessageBatch": ["DeleteMessage"], "ChangeMessageVisibilityBatch": ["ChangeMessageVisibility"]}
CHECKED = {"dynamodb", "sqs", "s3", "cognito-idp"}
# Cognito's sign-in calls are public (the user's password, session or access token is the
# authorisation, no IAM), and the test's own setup lists the pool's clients
PUBLIC = {"cognito-idp:InitiateAuth", "cognito-idp:RespondToAuthChallenge", "cognito-idp:AssociateSoftwareToken",
          "cognito-idp:VerifySoftwareToken", "cognito-idp:ListUserPoolClients"}


def _needed(calls) -> set[str]:
    out = set()
    for service, name, _ in calls:
        if service not in CHECKED or f"{service}:{name}" in PUBLIC:
            continue
        for action in TRANSACTIONS.get(name, [name]):
            out.add(f"{service}:{action}")
    return out


def _allowed(role: str) -> set[str]:
    return {a for s in policy("prod", role)["Statement"] for a in s["Action"]}


def _missing(calls, role):
    return sorted(_needed(calls) - _allowed(role))


def test_every_call_the_functions_make_is_in_their_policy(client, staff, application, aws, aws_calls):
    from chalicelib.bootstrap import ports
    from chalicelib.services import sweeps

    # the API: submit, track, staff views and actions, the institution's answer
    receipt = client.http.post("/v1/applications", headers={"Content-Type": "application/json"},
                               body=json.dumps(application)).json_body
    api_calls = list(aws_calls.calls)
    routing_msgs = drain(aws["ROUTING_QUEUE_URL"])
    aws_calls.reset()
    assert run_routing(routing_msgs) == {"batchItemFailures": []}
    routing_calls = list(aws_calls.calls)
    notes = drain(aws["NOTIFICATION_QUEUE_URL"])
    aws_calls.reset()
    run_notifications(notes)
    notification_calls = list(aws_calls.calls)

    aws_calls.reset()
    client.http.get(f"/v1/applications/{receipt['application_no']}", headers={"X-Access-Code": receipt["access_code"]})
    api_calls += aws_calls.calls
    second, token = forwarded_case(client, application, aws)
    aws_calls.reset()
    inst_post(client, "answer", token, ANSWER)
    act(client, staff, second["application_no"], "conclude", {"outcome": "positive",
                                                               "answer": "Kaldırım onarıldı; gerekçeli cevabımız."})
    api_calls += aws_calls.calls

    # staff administration: an invitation, a first sign-in with two factors, a disable, a reset
    from tests.integration.test_staff_onboarding import _first_sign_in, _invitation, _invite
    aws_calls.reset()
    assert _invite(client, staff, "sorumlu.maltepe").status_code == 201
    admin_calls = list(aws_calls.calls)
    run_notifications(drain(aws["NOTIFICATION_QUEUE_URL"]))
    _, temporary = _invitation("katip.maltepe")
    aws_calls.reset()
    _first_sign_in(client, "katip.maltepe", temporary)
    sup = {**staff.headers("sorumlu.maltepe"), "Content-Type": "application/json"}
    user = client.http.get("/v1/staff/users/katip.maltepe", headers=sup).json_body
    client.http.put("/v1/staff/users/katip.maltepe", headers=sup, body=json.dumps(
        {"role": "desk", "district": "34-maltepe", "enabled": False, "version": user["version"]}))
    client.http.post("/v1/staff/users/katip.maltepe/reset-mfa", headers=sup, body="{}")
    admin_calls += aws_calls.calls
    assert {"cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminSetUserMFAPreference"} <= _needed(admin_calls)
    assert _missing(admin_calls, "api") == []

    # the sweeps: reminders, escalation, closing what a closed case left open, the daily run
    aws_calls.reset()
    later = datetime.now().astimezone() + timedelta(days=40)
    sweeps.deadline(ports(), later)
    sweeps.daily(ports(), later)
    sweep_calls = list(aws_calls.calls)

    assert {"dynamodb:GetItem", "dynamodb:Query"} <= _needed(api_calls)
    assert _needed(sweep_calls), "the sweeps made no call: nothing was checked"
    assert _missing(api_calls, "api") == []
    assert _missing(routing_calls, "routing") == []
    assert _missing(notification_calls, "notifications") == []
    assert _missing(sweep_calls, "sweeps") == []
