"""Issue 16's phone verification and "Başvurularım" over HTTP on moto: the code goes out
through the notification queue as an SMS, the answer never tells a known phone from an
unknown one, the list is one Query of the national-id HMAC index per page, and a
submission within the session is marked phone-verified for the office."""
from __future__ import annotations

import json
import re

from tests.integration.helpers import H, detail, outbox, route_all, submit

PERSON = {"national_id": "10000000146", "phone": "0532 123 45 67"}


def _code(aws):
    route_all(aws)
    [sms] = [m for m in outbox()["sms"] if "doğrulama kodunuz" in m["body"]][:1]
    return re.search(r"\b(\d{6})\b", sms["body"]).group(1)


def test_code_session_list_and_a_verified_submission(client, staff, application, aws, aws_calls):
    first, second = submit(client, application), submit(client, application)
    known = client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(PERSON))
    unknown = client.http.post("/v1/citizen/otp", headers=H, body=json.dumps({"national_id": "10000000078",
                                                                               "phone": "0539 000 00 00"}))
    assert known.status_code == unknown.status_code == 202 and known.json_body == unknown.json_body
    code = _code(aws)
    assert len([m for m in outbox()["sms"] if "doğrulama kodunuz" in m["body"]]) == 1
    assert client.http.post("/v1/citizen/session", headers=H,
                            body=json.dumps({**PERSON, "code": "12345"})).status_code == 422
    session = client.http.post("/v1/citizen/session", headers=H, body=json.dumps({**PERSON, "code": code}))
    assert session.status_code == 200, session.body
    auth = {"Authorization": f"Bearer {session.json_body['token']}"}
    aws_calls.reset()
    listed = client.http.get("/v1/citizen/applications", headers=auth)
    assert listed.status_code == 200
    assert {a["application_no"] for a in listed.json_body["applications"]} == {first["application_no"],
                                                                               second["application_no"]}
    assert aws_calls.operations("dynamodb").count("Query") == 1 and "Scan" not in aws_calls.operations("dynamodb")
    view = client.http.get(f"/v1/citizen/applications/{first['application_no']}", headers=auth)
    assert view.status_code == 200 and view.json_body["application_no"] == first["application_no"]
    assert client.http.get("/v1/citizen/applications").status_code == 401
    verified = client.http.post("/v1/applications", headers={**H, **auth}, body=json.dumps(application)).json_body
    route_all(aws)
    assert detail(client, staff, verified["application_no"])["phone_verified"] is True
    assert detail(client, staff, first["application_no"])["phone_verified"] is False


def test_sending_is_throttled_per_phone(client, application, aws):
    submit(client, application)
    statuses = [client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(PERSON)).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]


def test_a_code_request_makes_the_same_calls_for_a_known_and_an_unknown_pair(client, application, aws, aws_calls):
    """The answer took longer for a known pair (it read the person's applications and sent the
    SMS). The request path now takes two counters and queues the request, whatever the pair;
    the worker does the look-up, one keyed read of the pair."""
    submit(client, application)
    route_all(aws)
    calls = []
    for body in (PERSON, {"national_id": "10000000078", "phone": "0539 000 00 00"}):
        aws_calls.reset()
        assert client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(body)).status_code == 202
        calls.append((aws_calls.operations("dynamodb"), aws_calls.operations("sqs"), aws_calls.operations("sns")))
    assert calls[0] == calls[1] == (["UpdateItem", "UpdateItem"], ["SendMessage"], [])


def test_a_flood_of_applications_with_one_phone_sends_it_at_most_the_daily_budget(client, staff, application, aws):
    """20 applications in Maltepe (forwarded at once) with one phone and random national ids:
    10 SMS reach the phone, the rest are held, and the office sees which on the case."""
    from tests.unit.test_service_rules import national_id
    nos = []
    for n in range(20):
        body = {**application, "subject": f"Konu {n}",
                "applicant": {**application["applicant"], "national_id": national_id(7000 + n)}}
        nos.append(submit(client, body)["application_no"])
    route_all(aws)
    route_all(aws)
    to_phone = [m for m in outbox()["sms"] if m["to"] in ("+905321234567", ["+905321234567"])]
    assert len(to_phone) == 10, len(to_phone)
    held = detail(client, staff, nos[-1])["held_messages"]
    assert held and {h["template"] for h in held} <= {"receipt", "forwarded"}
    assert all(h["name"] and h["at"] for h in held)


def test_with_a_session_every_citizen_action_works_without_the_access_code(client, staff, application, aws):
    """Issue 41 item 2: after phone sign-in the citizen replies, adds a photo, objects and
    downloads her data with the session alone; another person's session gets 404 and a
    forged one 401, as with the code."""
    import requests

    from tests.integration.helpers import ANSWER, act, forwarded_case, inst_post
    from tests.unit.test_citizen_photos import jpeg_with_gps
    receipt, token = forwarded_case(client, application, aws)
    no = receipt["application_no"]
    assert client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(PERSON)).status_code == 202
    session = client.http.post("/v1/citizen/session", headers=H,
                               body=json.dumps({**PERSON, "code": _code(aws)})).json_body["token"]
    auth = {**H, "Authorization": f"Bearer {session}"}

    assert client.http.get(f"/v1/applications/{no}", headers=auth).json_body["status"] == "forwarded"
    # a photo: the upload form, the file, the attachment
    photo = jpeg_with_gps()
    form = client.http.post(f"/v1/applications/{no}/attachments", headers=auth,
                            body=json.dumps({"filename": "foto.jpg", "content_type": "image/jpeg", "size": len(photo)}))
    assert form.status_code == 201, form.body
    up = form.json_body["upload"]
    assert requests.post(up["url"], data=up["fields"], files={"file": ("foto.jpg", photo, "image/jpeg")}).ok
    attached = client.http.post(f"/v1/applications/{no}/attachments/{form.json_body['attachment_id']}", headers=auth,
                                body="{}")
    assert attached.status_code == 200 and len(attached.json_body["attachments"]) == 1
    # the office asks for more; she answers
    assert act(client, staff, no, "request-info", {"message": "Sokağın adını yazar mısınız?"}).status_code == 200
    replied = client.http.post(f"/v1/applications/{no}/replies", headers=auth,
                               body=json.dumps({"text": "Çamlık Sokak, 7 numara önü."}))
    assert replied.status_code == 200, replied.body
    # concluded; she objects and downloads her data
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    assert act(client, staff, no, "conclude", {"outcome": "negative", "answer": "Yetki alanımız dışında."}
               ).status_code == 200
    objected = client.http.post(f"/v1/applications/{no}/objection", headers=auth,
                                body=json.dumps({"reason": "Kaldırım belediyenin sorumluluğundadır."}))
    assert objected.status_code == 200 and objected.json_body["status"] == "under_evaluation", objected.body
    data = client.http.get(f"/v1/applications/{no}/data", headers=auth)
    assert data.status_code == 200 and data.json_body["applications"][0]["application_no"] == no

    # someone else's session, and a forged one
    other = dict(application, applicant=dict(application["applicant"], national_id="10000000078",
                                             phone="0539 000 00 00"))
    theirs = submit(client, other)
    assert client.http.get(f"/v1/applications/{theirs['application_no']}", headers=auth).status_code == 404
    assert client.http.post(f"/v1/applications/{theirs['application_no']}/replies", headers=auth,
                            body=json.dumps({"text": "Sokağın adı Çamlık Sokak."})).status_code == 404
    forged = {**H, "Authorization": "Bearer v1.k1.sahte.imza"}
    assert client.http.get(f"/v1/applications/{no}/data", headers=forged).status_code == 401
    # without either, as before: 404, nothing compared
    assert client.http.get(f"/v1/applications/{no}", headers=H).status_code == 404
