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


ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


def _needed(calls) -> set[str]:
    """The IAM actions behind these calls; a transaction counts by what it carries (each
    item of a TransactWriteItems as its Put, Update, Delete or ConditionCheck), when the
    call's parameters were recorded (AwsCalls.requests)."""
    out = set()
    for service, name, params in calls:
        if service not in CHECKED or f"{service}:{name}" in PUBLIC:
            continue
        if name == "TransactWriteItems" and params.get("TransactItems"):
            out |= {f"dynamodb:{ITEM_ACTIONS[kind]}" for item in params["TransactItems"] for kind in item}
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
    api_calls = list(aws_calls.requests)
    routing_msgs = drain(aws["ROUTING_QUEUE_URL"])
    aws_calls.reset()
    assert run_routing(routing_msgs) == {"batchItemFailures": []}
    routing_calls = list(aws_calls.requests)
    notes = drain(aws["NOTIFICATION_QUEUE_URL"])
    aws_calls.reset()
    run_notifications(notes)
    notification_calls = list(aws_calls.requests)

    aws_calls.reset()
    client.http.get(f"/v1/applications/{receipt['application_no']}", headers={"X-Access-Code": receipt["access_code"]})
    api_calls += aws_calls.requests
    second, token = forwarded_case(client, application, aws)
    aws_calls.reset()
    inst_post(client, "answer", token, ANSWER)
    act(client, staff, second["application_no"], "conclude", {"outcome": "positive",
                                                               "answer": "Kaldırım onarıldı; gerekçeli cevabımız."})
    api_calls += aws_calls.requests

    # staff administration: an invitation, a first sign-in with two factors, a disable, a reset
    from tests.integration.test_staff_onboarding import _first_sign_in, _invitation, _invite
    aws_calls.reset()
    assert _invite(client, staff, "sorumlu.maltepe").status_code == 201
    admin_calls = list(aws_calls.requests)
    run_notifications(drain(aws["NOTIFICATION_QUEUE_URL"]))
    _, temporary = _invitation("katip.maltepe")
    aws_calls.reset()
    _first_sign_in(client, "katip.maltepe", temporary)
    sup = {**staff.headers("sorumlu.maltepe"), "Content-Type": "application/json"}
    user = client.http.get("/v1/staff/users/katip.maltepe", headers=sup).json_body
    client.http.put("/v1/staff/users/katip.maltepe", headers=sup, body=json.dumps(
        {"role": "desk", "district": "34-maltepe", "enabled": False, "version": user["version"]}))
    client.http.post("/v1/staff/users/katip.maltepe/reset-mfa", headers=sup, body="{}")
    admin_calls += aws_calls.requests
    assert {"cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminSetUserMFAPreference"} <= _needed(admin_calls)
    assert _missing(admin_calls, "api") == []

    # the sweeps: reminders, escalation, closing what a closed case left open, the daily run
    aws_calls.reset()
    later = datetime.now().astimezone() + timedelta(days=40)
    sweeps.deadline(ports(), later)
    sweeps.daily(ports(), later)
    sweep_calls = list(aws_calls.requests)

    assert {"dynamodb:GetItem", "dynamodb:Query"} <= _needed(api_calls)
    assert _needed(sweep_calls), "the sweeps made no call: nothing was checked"
    assert _missing(api_calls, "api") == []
    assert _missing(routing_calls, "routing") == []
    assert _missing(notification_calls, "notifications") == []
    assert _missing(sweep_calls, "sweeps") == []


def test_the_routing_role_grants_exactly_the_item_actions_routing_performs(client, application, aws, aws_calls):
    """Issue 43, least privilege: the routing worker's DynamoDB grant is what it does, no
    more. Its work: a new application (its office's place and institutions, the
    forwarding transaction, the repeat check against the applicant's earlier one), an
    office's morning digest, a phone code. A grant it never uses fails this test; so does a
    use it lacks. Only the worker's own calls are counted."""
    from datetime import date

    from chalicelib.services import routing_messages
    routed: list = []

    def route(messages):
        aws_calls.reset()
        assert run_routing(messages) == {"batchItemFailures": []}
        routed.extend(aws_calls.requests)

    def post(path, body):
        r = client.http.post(path, headers={"Content-Type": "application/json"}, body=json.dumps(body))
        assert r.status_code in (201, 202), r.body

    first = dict(application, subject="Kaldırım çökmüş")
    post("/v1/applications", first)
    route(drain(aws["ROUTING_QUEUE_URL"]))
    post("/v1/applications", dict(first, description=first["description"] + " Hâlâ onarılmadı."))
    route(drain(aws["ROUTING_QUEUE_URL"]))                                   # with a repeat check
    route([routing_messages.district_digest("34-maltepe", date.today())])
    post("/v1/citizen/otp", {"national_id": application["applicant"]["national_id"],
                             "phone": application["applicant"]["phone"]})
    route(drain(aws["ROUTING_QUEUE_URL"]))                                   # the phone code's look-up and send
    used = {a for a in _needed(routed) if a.startswith("dynamodb:")}
    granted = {a for a in _allowed("routing") if a.startswith("dynamodb:")}
    assert used <= granted, sorted(used - granted)
    assert granted == used, f"granted and never used: {sorted(granted - used)}"
