"""Creates the demo staff users (devstack/demo_users.json) in the Cognito pool."""
from __future__ import annotations

import json
from pathlib import Path

import boto3

DEMO = Path(__file__).resolve().parent / "demo_users.json"


def demo_users() -> dict:
    return json.loads(DEMO.read_text("utf-8"))


def seed_users(pool_id: str, region: str = "eu-central-1") -> list[dict]:
    idp = boto3.client("cognito-idp", region_name=region)
    doc = demo_users()
    for u in doc["users"]:
        attrs = [{"Name": "name", "Value": u["name"]}]
        if u.get("district"):
            attrs.append({"Name": "custom:district", "Value": u["district"]})
        if u.get("province"):
            attrs.append({"Name": "custom:province", "Value": u["province"]})
        idp.admin_create_user(UserPoolId=pool_id, Username=u["username"], UserAttributes=attrs,
                              MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username=u["username"], Password=doc["password"],
                                    Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=u["username"], GroupName=u["group"])
    # role and scope come from the staff directory, which only admins write
    from chalicelib.bootstrap import ports
    from chalicelib.services import staff
    staff.seed(ports(), doc["users"])
    return doc["users"]
