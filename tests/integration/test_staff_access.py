"""Staff access comes from the staff directory, which only admins write: a token
carrying a role or district the user was never given gets nothing, and an admin's
disable or change of district takes effect on the next request."""
from __future__ import annotations

import json

import pytest

from tests.integration.helpers import forwarded_case, staff_post, submit
from tests.integration.test_office import _forged


def _case_in(client, application, district):
    return submit(client, dict(application, district=district))["application_no"]


def test_a_clerk_who_edits_her_own_district_attribute_gets_nothing(client, staff, application, aws):
    import boto3

    from chalicelib.bootstrap import ports as _ports
    cankaya = _case_in(client, application, "06-cankaya")
    maltepe = _case_in(client, application, "34-maltepe")
    result = staff.sign_in("masa.maltepe")
    idp = boto3.client("cognito-idp", region_name="eu-central-1")
    # moto does not enforce the app client's WriteAttributes, so the self-edit goes through here
    # (in AWS the template's WriteAttributes refuse it: tests/infrastructure checks that)
    idp.update_user_attributes(AccessToken=result["AccessToken"],
                               UserAttributes=[{"Name": "custom:district", "Value": "06-cankaya"},
                                               {"Name": "custom:province", "Value": "06"}])
    promoted = staff.sign_in("masa.maltepe")["IdToken"]
    assert _ports().identity.verify(promoted).district == "06-cankaya"      # the token really carries it
    headers = {"Authorization": f"Bearer {promoted}", "Content-Type": "application/json"}
    for no in (cankaya, maltepe):
        resp = client.http.post(f"/v1/staff/cases/{no}/reveal", headers=headers, body="{}")
        assert resp.status_code == 403
        assert "10000000146" not in resp.body.decode()


@pytest.mark.parametrize("groups", ["desk-admin", ["desk-admin"], ["Desk"], [["desk"]], None])
def test_groups_are_a_list_of_exact_names(client, staff, groups):
    token = _forged(staff, user="masa.maltepe", **{"cognito:groups": groups})
    resp = client.http.get("/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403


def _admin_put(client, staff, username, body):
    current = client.http.get(f"/v1/staff/users/{username}", headers=staff.headers("yonetici"))
    version = current.json_body["version"] if current.status_code == 200 else None
    return client.http.put(f"/v1/staff/users/{username}", headers=staff.headers("yonetici"),
                           body=json.dumps({**body, "version": version}))


def test_a_disabled_clerk_loses_access_on_her_next_request_and_the_change_is_audited(client, staff, aws):
    headers = staff.headers("masa.maltepe")
    assert client.http.get("/v1/staff/me", headers=headers).status_code == 200
    resp = _admin_put(client, staff, "masa.maltepe", {"role": "desk", "district": "34-maltepe", "enabled": False})
    assert resp.status_code == 200, resp.body
    assert resp.json_body["enabled"] is False and resp.json_body["province"] == "34"
    assert client.http.get("/v1/staff/me", headers=headers).status_code == 403
    import boto3
    idp = boto3.client("cognito-idp", region_name="eu-central-1")
    user = idp.admin_get_user(UserPoolId=aws["COGNITO_USER_POOL_ID"], Username="masa.maltepe")
    assert user["Enabled"] is False
    from chalicelib.bootstrap import ports
    [entry] = ports().audit.trail("STAFF-masa.maltepe")
    assert (entry["actor"], entry["action"], entry["detail"]["enabled"]) == ("yonetici", "update_staff", False)


def test_a_clerk_moved_to_another_district_must_sign_in_again_and_then_sees_only_it(client, staff, application,
                                                                                    aws):
    receipt, _ = forwarded_case(client, application, aws)
    old = staff.headers("masa.maltepe")
    resp = _admin_put(client, staff, "masa.maltepe", {"role": "desk", "district": "06-cankaya", "enabled": True})
    assert resp.status_code == 200 and resp.json_body["province"] == "06"
    assert client.http.get("/v1/staff/me", headers=old).status_code == 403       # the old token says Maltepe
    fresh = staff.sign_in("masa.maltepe")["IdToken"]
    headers = {"Authorization": f"Bearer {fresh}", "Content-Type": "application/json"}
    assert client.http.get("/v1/staff/me", headers=headers).json_body["district"] == "06-cankaya"
    resp = staff_post(client, type("S", (), {"headers": lambda self, u: headers})(), "masa.maltepe",
                      f"/v1/staff/cases/{receipt['application_no']}/reveal", {})
    assert resp.status_code == 403


def test_a_role_and_scope_that_do_not_fit_are_refused_naming_the_field(client, staff):
    """Over HTTP once; every combination is a unit test (tests/unit/test_service_rules.py)."""
    resp = _admin_put(client, staff, "masa.cankaya", {"role": "desk", "district": "34-maltepe", "province": "06",
                                                       "enabled": True})
    assert resp.status_code == 422 and resp.json_body["error"]["field"] == "province"
    assert client.http.get("/v1/staff/me", headers=staff.headers("masa.cankaya")).status_code == 200


def test_an_admin_cannot_remove_her_own_admin_access(client, staff):
    resp = _admin_put(client, staff, "yonetici", {"role": "admin", "enabled": False})
    assert resp.status_code == 409 and resp.json_body["error"]["code"] == "own_access"


def _post(client, path, body):
    return client.http.post(path, headers={"Content-Type": "application/json"}, body=json.dumps(body))


def test_every_sign_in_asks_for_the_code_of_the_authenticator_app_and_a_wrong_one_is_refused(client, staff, aws):
    """Issue 38: two-factor sign-in for every staff role (TOTP, Cognito's software token;
    the stand-in checks the codes for real, with its one fixed secret)."""
    from devstack.users import DEMO_TOTP_SECRET, totp
    first = _post(client, "/v1/staff/session", {"username": "sorumlu.maltepe", "password": staff.password})
    assert first.status_code == 200 and first.json_body["challenge"] == "mfa_code"
    assert "id_token" not in first.json_body or first.json_body["id_token"] is None      # no token before the code
    good = totp(DEMO_TOTP_SECRET[0])
    wrong = "000000" if good != "000000" else "111111"
    bad = _post(client, "/v1/staff/session/challenge", {"username": "sorumlu.maltepe", "challenge": "mfa_code",
                                                         "session": first.json_body["session"], "code": wrong})
    assert bad.status_code == 401 and bad.json_body["error"]["code"] == "invalid_credentials"
    again = _post(client, "/v1/staff/session", {"username": "sorumlu.maltepe", "password": staff.password})
    done = _post(client, "/v1/staff/session/challenge", {"username": "sorumlu.maltepe", "challenge": "mfa_code",
                                                          "session": again.json_body["session"], "code": good})
    assert done.status_code == 200 and done.json_body["user"]["role"] == "supervisor"
    assert client.http.get("/v1/staff/me", headers={"Authorization": f"Bearer {done.json_body['id_token']}"}
                           ).status_code == 200


def test_five_wrong_answers_lock_the_account_for_the_window(client, staff, aws):
    for _ in range(5):
        r = _post(client, "/v1/staff/session", {"username": "masa.cankaya", "password": "Yanlis-Parola-123"})
        assert r.status_code == 401
    locked = _post(client, "/v1/staff/session", {"username": "masa.cankaya", "password": staff.password})
    assert locked.status_code == 429 and locked.json_body["error"]["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) <= 15 * 60
    other = _post(client, "/v1/staff/session", {"username": "masa.maltepe", "password": staff.password})
    assert other.status_code == 200 and other.json_body["challenge"] == "mfa_code"     # only that account
