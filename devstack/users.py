"""Creates the demo staff users (devstack/demo_users.json) in the Cognito pool."""
from __future__ import annotations

import json
from pathlib import Path

import boto3

DEMO = Path(__file__).resolve().parent / "demo_users.json"


def demo_users() -> dict:
    return json.loads(DEMO.read_text("utf-8"))


def totp(secret: str, *, margin: float = 5.0) -> str:
    """The current code of an authenticator app with this secret. The stand-in accepts a
    code only in its own 30-second window, so a code about to change (less than `margin`
    seconds left) is not given: the next one is, once its window has begun."""
    import time

    import pyotp
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.05)
    return pyotp.TOTP(secret).now()


DEMO_TOTP_SECRET: list[str] = []      # the stand-in gives every user the same secret; what it returned
DEMO_SECRET_FILE = Path(__file__).resolve().parents[1] / ".local" / "demo-totp-secret"


def enrol(idp, pool_id: str, username: str, password: str) -> str:
    """Sets up a demo user's authenticator app, as the user would at first sign-in; the
    secret (to add to an app by hand on the local stack)."""
    client_id = idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
    tokens = idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                               AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=totp(secret))
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=username,
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    DEMO_TOTP_SECRET[:] = [secret]
    return secret


def remember_secret(secret: str) -> None:
    """For `python -m devstack totp`: the local stack's demo secret, in .local/ (git-ignored)."""
    DEMO_SECRET_FILE.parent.mkdir(exist_ok=True)
    DEMO_SECRET_FILE.write_text(secret + "\n", "utf-8")


def sign_in(idp, pool_id: str, username: str, password: str, secret: str) -> dict:
    """A demo user's tokens, with the code of their app (the tests and the operator tools)."""
    client_id = idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
    step = idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
                             AuthParameters={"USERNAME": username, "PASSWORD": password})
    if "AuthenticationResult" in step:
        return step["AuthenticationResult"]
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName=step["ChallengeName"], Session=step["Session"],
                                         ChallengeResponses={"USERNAME": username,
                                                             "SOFTWARE_TOKEN_MFA_CODE": totp(secret)})["AuthenticationResult"]


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
        enrol(idp, pool_id, u["username"], doc["password"])
    # role and scope come from the staff directory, which only admins write
    from chalicelib.bootstrap import ports
    from chalicelib.services import staff
    staff.seed(ports(), doc["users"])
    return doc["users"]
