"""Issue 38: staff onboarding through the API the console uses. An invited clerk gets an
e-mail with a temporary password, sets a password and an authenticator app at first
sign-in, and is asked for its code at every sign-in after; who may invite, change or
reset whom follows the office hierarchy; every change is audited and readable."""
from __future__ import annotations

import json
import re

from tests.integration.helpers import outbox

H = {"Content-Type": "application/json"}
NEW_PASSWORD = "Yeni-Parola-2026x"


def _post(client, path, body, headers=None):
    return client.http.post(path, headers={**H, **(headers or {})}, body=json.dumps(body))


def _invite(client, staff, by, **body):
    body = {"username": "katip.maltepe", "name": "Gülşen Işık", "email": "gulsen.isik@maltepe.example",
            "role": "desk", "district": "34-maltepe", **body}
    return _post(client, "/v1/staff/users", body, staff.headers(by))


def _invitation(username):
    """The newest invitation e-mail of `username` (a reset sends a new one; the outbox lists
    the newest first)."""
    mail, *_ = [m for m in outbox()["email"] if f"Kullanıcı adı: {username}" in m["body"]]
    return mail, re.search(r"Geçici parola: (\S+)", mail["body"]).group(1)


def _first_sign_in(client, username, temporary):
    from devstack.users import totp
    step = _post(client, "/v1/staff/session", {"username": username, "password": temporary}).json_body
    assert step["challenge"] == "new_password", step
    weak = _post(client, "/v1/staff/session/challenge", {"username": username, "session": step["session"],
                                                          "challenge": "new_password", "new_password": "kisa"})
    assert weak.status_code == 422 and weak.json_body["error"]["field"] == "new_password"
    step = _post(client, "/v1/staff/session/challenge", {"username": username, "session": step["session"],
                                                          "challenge": "new_password", "new_password": NEW_PASSWORD})
    assert step.status_code == 200, step.json_body
    step = step.json_body
    assert step["challenge"] == "mfa_setup" and "id_token" not in step
    assert step["qr"].startswith("data:image/svg+xml") and step["secret"] in step["otpauth_uri"]
    done = _post(client, "/v1/staff/session/challenge", {"username": username, "session": step["session"],
                                                          "challenge": "mfa_setup", "code": totp(step["secret"])})
    assert done.status_code == 200, done.json_body
    return done.json_body, step["secret"]


def test_a_supervisor_invites_a_clerk_who_sets_a_password_and_an_app_and_works(client, staff, aws):
    from tests.integration.helpers import drain, run_notifications
    r = _invite(client, staff, "sorumlu.maltepe")
    assert r.status_code == 201, r.json_body
    assert r.json_body["role"] == "desk" and r.json_body["district"] == "34-maltepe" and r.json_body["province"] == "34"
    run_notifications(drain(aws["NOTIFICATION_QUEUE_URL"]))
    mail, temporary = _invitation("katip.maltepe")
    assert mail["to"] == ["gulsen.isik@maltepe.example"] and "Maltepe" in mail["body"] and "buro.html" in mail["body"]
    assert len(temporary) >= 12 and temporary not in mail["subject"]
    session, secret = _first_sign_in(client, "katip.maltepe", temporary)
    me = client.http.get("/v1/staff/me", headers={"Authorization": f"Bearer {session['id_token']}"})
    assert me.status_code == 200 and me.json_body["district"] == "34-maltepe" and me.json_body["role"] == "desk"
    # every later sign-in asks for the code
    again = _post(client, "/v1/staff/session", {"username": "katip.maltepe", "password": NEW_PASSWORD}).json_body
    assert again["challenge"] == "mfa_code" and "id_token" not in again
    # the office's staff list shows the new clerk
    listed = client.http.get("/v1/staff/users?office=34-maltepe", headers=staff.headers("sorumlu.maltepe"))
    assert listed.status_code == 200
    assert {"katip.maltepe", "masa.maltepe"} <= {u["username"] for u in listed.json_body["items"]}
    assert next(u for u in listed.json_body["items"] if u["username"] == "katip.maltepe")["name"] == "Gülşen Işık"
    # a second invitation of the same name is refused, whoever asks
    dup = _invite(client, staff, "yonetici")
    assert dup.status_code == 409 and dup.json_body["error"]["code"] == "user_exists"


def test_who_may_invite_whom_follows_the_office_hierarchy(client, staff, aws):
    # a supervisor: desk staff of their own office only
    assert _invite(client, staff, "sorumlu.maltepe", username="sorumlu2.maltepe", role="supervisor").status_code == 403
    assert _invite(client, staff, "sorumlu.maltepe", username="katip.cankaya", district="06-cankaya").status_code == 403
    # a desk clerk invites nobody
    assert _invite(client, staff, "masa.maltepe", username="katip2.maltepe").status_code == 403
    # a province admin: the offices of their province, supervisors included
    ok = _invite(client, staff, "il.istanbul", username="sorumlu.kadikoy", role="supervisor", district="34-kadikoy",
                 email="sorumlu@kadikoy.example")
    assert ok.status_code == 201 and ok.json_body["province"] == "34"
    assert _invite(client, staff, "il.istanbul", username="sorumlu.yenimahalle", role="supervisor",
                   district="06-yenimahalle").status_code == 403
    assert _invite(client, staff, "il.istanbul", username="il2.istanbul", role="province", district=None,
                   province="34").status_code == 403
    # the national admin anyone; a scope that does not fit its role names the field
    bad = _invite(client, staff, "yonetici", username="il.izmir", role="province", district="35-konak")
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "district"
    assert _invite(client, staff, "yonetici", username="il.izmir", role="province", district=None,
                   province="35").status_code == 201
    for name in ("A", "büyükharf", "ab", "x" * 65, "kötü isim"):
        r = _invite(client, staff, "yonetici", username=name)
        assert r.status_code == 422 and r.json_body["error"]["field"] == "username", name
    r = _invite(client, staff, "yonetici", username="katip9.maltepe", email="adres-degil")
    assert r.status_code == 422 and r.json_body["error"]["field"] == "email"
    # the lists follow the same lines
    assert client.http.get("/v1/staff/users?office=06-cankaya",
                           headers=staff.headers("sorumlu.maltepe")).status_code == 403
    assert client.http.get("/v1/staff/users?office=34-kadikoy",
                           headers=staff.headers("il.istanbul")).status_code == 200
    assert client.http.get("/v1/staff/users?province=35", headers=staff.headers("yonetici")).json_body["items"][0][
        "username"] == "il.izmir"
    unknown = client.http.get("/v1/staff/users?province=99", headers=staff.headers("yonetici"))
    assert unknown.status_code == 400 and unknown.json_body["error"]["field"] == "province"


def test_a_lost_phone_reset_disable_and_re_enable_are_audited_and_shown(client, staff, aws):
    from tests.integration.helpers import drain, run_notifications
    assert _invite(client, staff, "sorumlu.maltepe").status_code == 201
    run_notifications(drain(aws["NOTIFICATION_QUEUE_URL"]))
    _, temporary = _invitation("katip.maltepe")
    _first_sign_in(client, "katip.maltepe", temporary)
    sup = staff.headers("sorumlu.maltepe")
    # another office's supervisor cannot touch the clerk
    assert _post(client, "/v1/staff/users/katip.maltepe/reset-mfa", {}, staff.headers("sorumlu.cankaya")
                 ).status_code == 403
    r = _post(client, "/v1/staff/users/katip.maltepe/reset-mfa", {}, sup)
    assert r.status_code == 200 and r.json_body["mfa_reset"] is True
    # the old password no longer signs in; a new temporary one came by e-mail, and the
    # sign-in sets a new password and a new app before any token is given
    old = _post(client, "/v1/staff/session", {"username": "katip.maltepe", "password": NEW_PASSWORD})
    assert old.status_code == 401
    run_notifications(drain(aws["NOTIFICATION_QUEUE_URL"]))
    _, again = _invitation("katip.maltepe")
    assert again != temporary
    _first_sign_in(client, "katip.maltepe", again)
    # disable, then re-enable: the disabled clerk's sign-in gets no token
    user = client.http.get("/v1/staff/users/katip.maltepe", headers=sup).json_body
    off = client.http.put("/v1/staff/users/katip.maltepe", headers={**H, **sup}, body=json.dumps(
        {"role": "desk", "district": "34-maltepe", "enabled": False, "version": user["version"]}))
    assert off.status_code == 200 and off.json_body["enabled"] is False
    promote = client.http.put("/v1/staff/users/katip.maltepe", headers={**H, **sup}, body=json.dumps(
        {"role": "supervisor", "district": "34-maltepe", "enabled": True, "version": off.json_body["version"]}))
    assert promote.status_code == 403                      # a supervisor makes no supervisors
    on = client.http.put("/v1/staff/users/katip.maltepe", headers={**H, **sup}, body=json.dumps(
        {"role": "desk", "district": "34-maltepe", "enabled": True, "version": off.json_body["version"]}))
    assert on.status_code == 200 and on.json_body["enabled"] is True
    trail = client.http.get("/v1/staff/admin-audit?subject=STAFF-katip.maltepe", headers=sup)
    assert trail.status_code == 200
    assert [e["action"] for e in trail.json_body["entries"]] == ["invite_staff", "reset_mfa", "update_staff",
                                                                 "update_staff"]
    assert {e["actor"] for e in trail.json_body["entries"]} == {"sorumlu.maltepe"}
    assert client.http.get("/v1/staff/admin-audit?subject=STAFF-katip.maltepe",
                           headers=staff.headers("masa.maltepe")).status_code == 403
    assert client.http.get("/v1/staff/admin-audit?subject=PARTNER-x", headers=sup).status_code == 403
    bad = client.http.get("/v1/staff/admin-audit?subject=nesne", headers=sup)
    assert bad.status_code == 422 and bad.json_body["error"]["field"] == "subject"
