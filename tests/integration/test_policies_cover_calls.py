"""moto does not enforce IAM, so a call the code makes and the policy files forget only
fails in AWS. This runs each function's work against moto, records every DynamoDB, SQS
and S3 operation it performs, and checks that the function's generated policy allows it.
(Found this way: tracking's BatchGetItem was in no policy.)"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from infra.policies import policy
from tests.integration.helpers import ANSWER, act, drain, forwarded_case, inst_post, run_notifications, run_routing

# DynamoDB transactions have no IAM action of their own: each item is checked as its
# PutItem/UpdateItem/DeleteItem/ConditionCheckItem or GetItem (AWS: "Using IAM with
# DynamoDB transactions"), which the recorder cannot see, so they are checked through
# the plain actions they are made of.
# SQS's batch calls are authorised as their single counterparts (no IAM action of their own).
TRANSACTIONS = {"TransactWriteItems": ["PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"],
                "TransactGetItems": ["GetItem"], "SendMessageBatch": ["SendMessage"],
                "DeleteMessageBatch": ["DeleteMessage"], "ChangeMessageVisibilityBatch": ["ChangeMessageVisibility"],
                # S3 authorises a listing as ListBucket, and a multi-object delete per object
                "ListObjectsV2": ["ListBucket"], "DeleteObjects": ["DeleteObject"]}
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

    # a year on, the concluded case is in the archive: tracking reads it from there, and the
    # supervisor's legal hold (a write) brings it back
    from chalicelib.services import archive
    assert archive.sweep(ports(), datetime.now(timezone.utc) + timedelta(days=400))["archived"] == 1
    aws_calls.reset()
    assert client.http.get(f"/v1/applications/{second['application_no']}",
                           headers={"X-Access-Code": second["access_code"]}).status_code == 200
    assert act(client, staff, second["application_no"], "legal-hold", {"reason": "Dava açıldı; dosya saklanacak."},
               user="sorumlu.maltepe").status_code == 200
    archived_calls = list(aws_calls.requests)
    assert {"s3:GetObject", "s3:DeleteObject"} <= _needed(archived_calls)
    api_calls += archived_calls

    # a citizen's phone sign-in (the code's item is deleted once used) and her list
    from tests.integration.helpers import H
    from tests.integration.test_citizen_session_http import PERSON, _code
    aws_calls.reset()
    assert client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(PERSON)).status_code == 202
    api_calls += aws_calls.requests
    code = _code(aws)
    aws_calls.reset()
    session = client.http.post("/v1/citizen/session", headers=H, body=json.dumps({**PERSON, "code": code}))
    assert session.status_code == 200, session.body
    client.http.get("/v1/citizen/applications", headers={"Authorization": f"Bearer {session.json_body['token']}"})
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
    # issue 43: the API's grant on the main table is what this journey performs, no more
    used = _dynamodb_used(api_calls + admin_calls)
    assert _dynamodb_granted("api") == used, f"granted and never used: {sorted(_dynamodb_granted('api') - used)}"


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


def _dynamodb_used(calls) -> set[str]:
    return {a for a in _needed(calls) if a.startswith("dynamodb:")}


def _dynamodb_granted(role: str) -> set[str]:
    """The role's item actions on the main table (the audit table's grant is separate)."""
    return {a for s in policy("prod", role)["Statement"] if s["Sid"] == "CasesTable" for a in s["Action"]}


def test_the_sweeps_role_grants_exactly_the_item_actions_the_sweeps_perform(client, staff, application, aws,
                                                                            aws_calls, monkeypatch):
    """Issue 43: the 15-minute and the daily sweep, through every branch that touches the
    table: a reminder and an escalation, an assignment a closed case left open, a lost
    routing message and a marker left from before, the legal and extension warnings, the
    digests and a KVKK request reminder. A grant they never use fails; so does a use the
    role lacks."""
    from chalicelib.adapters import publisher as queues
    from chalicelib.adapters.dynamodb import itemkeys as K
    from chalicelib.adapters.dynamodb.models import RouteMarker
    from chalicelib.bootstrap import ports
    from chalicelib.domain import sweeps as W
    from chalicelib.domain.calendar import ISTANBUL, default_calendar
    from chalicelib.domain.numbers import normalise_application_no
    from chalicelib.services import sweeps
    from tests.integration.helpers import route_all, submit
    from tests.integration.test_kvkk import _register
    from tests.integration.test_sweeps import _sqs_unreachable

    used: list = []

    def run(job, now):
        aws_calls.reset()
        result = job(ports(), now)
        used.extend(aws_calls.requests)
        return result

    now = datetime.now(ISTANBUL)
    repo = ports().cases
    # a reminder, then an escalation
    receipt, _ = forwarded_case(client, application, aws)
    _, [a] = repo.load_with_assignments(normalise_application_no(receipt["application_no"]))
    a.sla_due_date = default_calendar().add_working_days(now.date(), 1)
    assert repo.save_assignment(a, "34-maltepe")
    assert run(sweeps.deadline, now)["reminded"] == 1
    assert run(sweeps.deadline, now + timedelta(days=10))["escalated"] == 1
    # a lost routing message, and a marker left from before for a routed case
    closed, _ = forwarded_case(client, dict(application, subject="Sokak lambası yanmıyor"), aws)
    no = normalise_application_no(closed["application_no"])
    monkeypatch.setattr(queues, "send", _sqs_unreachable)
    lost = submit(client, dict(application, subject="Park bakımsız"))
    monkeypatch.undo()
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    RouteMarker(*K.route_key(no), district="34-maltepe", sweep_pk=K.sweep_pk(W.ROUTE_KIND, W.shard_of(no)),
                sweep_sk=W.sweep_key(past, no)).save()
    assert run(sweeps.deadline, now + timedelta(minutes=11))["rerouted"] >= 1
    route_all(aws)
    assert lost["application_no"]
    # the daily run: an information request at its 12th working day, digests, a KVKK reminder
    info = submit(client, dict(application, type="bilgi_edinme", category="okul_kayit", district="06-cankaya"))
    route_all(aws)
    info_case = repo.get(normalise_application_no(info["application_no"]))
    day12 = datetime.combine(default_calendar().add_working_days(info_case.receipt_date, 12), datetime.min.time(),
                             tzinfo=ISTANBUL) + timedelta(hours=8)
    _register(client, staff, received_on=(day12.date() - timedelta(days=26)).isoformat())
    daily = run(sweeps.daily, day12)
    assert daily["extension_window"] == 1 and daily["digests"] >= 2 and daily["kvkk_reminders"] == 1
    assert not any(s == "dynamodb" and o == "Scan" for s, o, _ in used)
    used_actions = _dynamodb_used(used)
    granted = _dynamodb_granted("sweeps")
    assert used_actions <= granted, sorted(used_actions - granted)
    assert granted == used_actions, f"granted and never used: {sorted(granted - used_actions)}"


def test_the_retention_role_grants_exactly_the_item_actions_the_destruction_run_performs(client, staff, application,
                                                                                         aws, aws_calls):
    """Issue 43: the monthly KVKK destruction run over a case that touched every store
    (an institution's attachment, a survey, the audit), and a case held back by a legal
    hold; the S3 and audit grants are checked too. Issue 39: the archive run shares the
    role, and the case it archived is the one destroyed."""
    from chalicelib.bootstrap import ports
    from chalicelib.services import kvkk
    from tests.integration.test_kvkk import _concluded_case

    from chalicelib.services import archive
    _concluded_case(client, staff, application, aws)
    aws_calls.reset()
    # the same role's archive run, a year on, then the destruction of the archived case
    assert archive.sweep(ports(), datetime.now(timezone.utc) + timedelta(days=400))["archived"] == 1
    result = kvkk.sweep(ports(), datetime.now(timezone.utc) + timedelta(days=365 * 11))
    assert result["cases"] == 1
    calls = list(aws_calls.requests)
    used_actions = _dynamodb_used(calls)
    granted = _dynamodb_granted("retention")
    assert used_actions <= granted, sorted(used_actions - granted)
    assert granted == used_actions, f"granted and never used: {sorted(granted - used_actions)}"
    assert _missing(calls, "retention") == []
    others = {a for s in policy("prod", "retention")["Statement"] if s["Sid"] not in ("CasesTable", "Logs", "ReadKeys",
                                                                                      "DecryptPersonalData")
              for a in s["Action"]}
    assert others <= _needed(calls), f"granted and never used: {sorted(others - _needed(calls))}"


def test_the_notification_role_grants_exactly_the_item_actions_delivery_performs(client, application, aws, aws_calls,
                                                                                 monkeypatch):
    """Issue 43: the notification worker's grant (NOTE# items only) is what delivery does:
    a claim per message, the phone's daily budget (an update, read back when refused), a
    held marker beyond it, and a claim released when the provider refused the message."""
    from botocore.exceptions import ClientError

    from chalicelib.adapters.senders import AwsSenders
    from tests.unit.test_service_rules import national_id
    delivered: list = []

    def deliver():
        assert run_routing(drain(aws["ROUTING_QUEUE_URL"])) == {"batchItemFailures": []}
        messages = drain(aws["NOTIFICATION_QUEUE_URL"])
        assert messages
        aws_calls.reset()
        run_notifications(messages)
        delivered.extend(aws_calls.requests)

    for n in range(12):                 # one phone, 12 receipts: 10 sent, then held (the budget is 10)
        body = {**application, "subject": f"Konu {n}",
                "applicant": {**application["applicant"], "national_id": national_id(8000 + n)}}
        r = client.http.post("/v1/applications", headers={"Content-Type": "application/json"}, body=json.dumps(body))
        assert r.status_code == 201, r.body
    deliver()

    def refused(self, phone, body):     # the provider refuses: the claim is given back for the retry
        raise ClientError({"Error": {"Code": "InvalidParameter", "Message": "no"}}, "Publish")
    monkeypatch.setattr(AwsSenders, "send_sms", refused)
    other = {**application, "subject": "Başka konu",
             "applicant": {**application["applicant"], "national_id": national_id(9000), "phone": "0539 111 22 33"}}
    assert client.http.post("/v1/applications", headers={"Content-Type": "application/json"},
                            body=json.dumps(other)).status_code == 201
    deliver()
    used = {a for a in _needed(delivered) if a.startswith("dynamodb:")}
    granted = {a for s in policy("prod", "notifications")["Statement"] if s["Sid"] == "NotificationClaims"
               for a in s["Action"]}
    assert used <= granted, sorted(used - granted)
    assert granted == used, f"granted and never used: {sorted(granted - used)}"


def test_the_stats_role_grants_exactly_the_item_actions_the_roll_up_performs(client, application, aws, aws_calls):
    """Issue 43: the nightly open-statistics roll-up (its month's cells in, the published
    rows out, then a night with nothing new) uses exactly its grant."""
    from datetime import date

    from chalicelib.bootstrap import ports
    from chalicelib.domain.calendar import ISTANBUL
    from chalicelib.services import open_stats
    for n in range(6):
        r = client.http.post("/v1/applications", headers={"Content-Type": "application/json"},
                             body=json.dumps({**application, "subject": f"Konu {n}"}))
        assert r.status_code == 201
    today = datetime.now(ISTANBUL).date()
    first_of_next = (date(today.year + (today.month == 12), today.month % 12 + 1, 1))
    aws_calls.reset()
    open_stats.roll_up(ports(), datetime.combine(first_of_next, datetime.min.time(), tzinfo=ISTANBUL))
    open_stats.roll_up(ports(), datetime.combine(first_of_next, datetime.min.time(), tzinfo=ISTANBUL)
                       + timedelta(days=1))                      # the next night: nothing new to write
    used = {a for a in _needed(aws_calls.requests) if a.startswith("dynamodb:")}
    granted = {a for s in policy("prod", "stats")["Statement"] for a in s["Action"] if a.startswith("dynamodb:")}
    assert used <= granted, sorted(used - granted)
    assert granted == used, f"granted and never used: {sorted(granted - used)}"
