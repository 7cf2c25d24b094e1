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
    cankaya = _case_in(client, application, "06-cankaya")
    maltepe = _case_in(client, application, "34-maltepe")
    from chalicelib.bootstrap import ports as _ports
    result = _ports().identity.sign_in("masa.maltepe", staff.password)
    idp = boto3.client("cognito-idp", region_name="eu-central-1")
    # moto does not enforce the app client's WriteAttributes, so the self-edit goes through here
    # (in AWS the template's WriteAttributes refuse it: tests/infrastructure checks that)
    idp.update_user_attributes(AccessToken=result["AccessToken"],
                               UserAttributes=[{"Name": "custom:district", "Value": "06-cankaya"},
                                               {"Name": "custom:province", "Value": "06"}])
    promoted = _ports().identity.sign_in("masa.maltepe", staff.password)["IdToken"]
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
    from chalicelib.bootstrap import ports as _ports
    fresh = _ports().identity.sign_in("masa.maltepe", staff.password)["IdToken"]
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
