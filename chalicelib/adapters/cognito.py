"""Staff identity (Cognito): one verifier for every stage, and sign-in.

The built-in Chalice authorizer verifies the Cognito ID token against the pool's JWKS
with PyJWT: RS256 signature, issuer, audience (the app client), expiry and token use.
In AWS the JWKS comes from Cognito; on the local stack from moto's Cognito (same URL
shape, under the moto endpoint); in the integration tests from moto's published key
file. Nothing is ever decoded without being verified.
"""
from __future__ import annotations

import json
import os
import threading
import urllib.request

from ..config import settings
from ..domain.principal import ROLES, Principal
from ..services.ports import InvalidToken, SignInStep, WeakPassword, WrongAnswer
from .aws import client


def _region() -> str:
    return settings().region


def issuer() -> str:
    return f"https://cognito-idp.{_region()}.amazonaws.com/{os.environ['COGNITO_USER_POOL_ID']}"


def jwks_url() -> str:
    if os.environ.get("COGNITO_JWKS_URL"):
        return os.environ["COGNITO_JWKS_URL"]
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    base = endpoint.rstrip("/") if endpoint else f"https://cognito-idp.{_region()}.amazonaws.com"
    return f"{base}/{os.environ['COGNITO_USER_POOL_ID']}/.well-known/jwks.json"


class CognitoStaffIdentity:
    """The `StaffIdentity` port: sign-in and token verification through the user pool's
    public API, and the staff side of the pool through the admin API (the app client
    cannot write any attribute that grants access: see the template's WriteAttributes).
    The pool's public keys are fetched once and kept here (again on an unknown key id)."""

    def __init__(self):
        self._keys = None
        self._lock = threading.Lock()

    @property
    def idp(self):
        return client("cognito-idp")

    @property
    def pool(self) -> str:
        return os.environ["COGNITO_USER_POOL_ID"]

    # --- who someone is --------------------------------------------------------------

    def _jwks(self, *, fresh: bool = False):

        from jwt import PyJWKSet
        with self._lock:
            if self._keys is None or fresh:
                url = jwks_url()
                if not url.startswith(("https://", "http://127.0.0.1", "http://localhost", "file://")):
                    raise InvalidToken("jwks_url")
                with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - scheme checked above
                    self._keys = PyJWKSet.from_dict(json.loads(resp.read()))
            return self._keys

    def _signing_key(self, token: str):
        import jwt
        kid = jwt.get_unverified_header(token).get("kid")  # selects the key; verifies nothing yet
        for attempt in range(2):
            for key in self._jwks(fresh=attempt == 1).keys:
                if key.key_id == kid:
                    return key.key
        raise InvalidToken("unknown_kid")

    def verify(self, token: str) -> Principal:
        import jwt

        try:
            key = self._signing_key(token)
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=os.environ["COGNITO_CLIENT_ID"],
                                issuer=issuer(), options={"require": ["exp", "iss", "aud", "token_use", "sub"]},
                                leeway=5)
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from None
        if claims.get("token_use") != "id":
            raise InvalidToken("token_use")
        groups = claims.get("cognito:groups")
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise InvalidToken("groups")   # a list of names, compared whole: never a substring
        role = next((r for r in ROLES if r in set(groups)), None)
        if role is None:
            raise InvalidToken("no_role")
        username = claims.get("cognito:username") or claims["sub"]
        return Principal(username, role, claims.get("custom:district"), claims.get("custom:province"))

    @staticmethod
    def _step(result: dict) -> SignInStep:
        if result.get("AuthenticationResult"):
            return SignInStep(tokens=result["AuthenticationResult"])
        return SignInStep(challenge=result.get("ChallengeName"), session=result.get("Session"))

    def sign_in(self, username: str, password: str) -> SignInStep:
        """Cognito InitiateAuth (USER_PASSWORD_AUTH), so web and mobile clients need no AWS SDK."""
        idp = self.idp
        try:
            result = idp.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=os.environ["COGNITO_CLIENT_ID"],
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})
        except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException,
                idp.exceptions.PasswordResetRequiredException):
            raise WrongAnswer() from None
        return self._step(result)

    def respond(self, username: str, challenge: str, session: str, answer: dict) -> SignInStep:
        idp = self.idp
        try:
            result = idp.respond_to_auth_challenge(
                ClientId=os.environ["COGNITO_CLIENT_ID"], ChallengeName=challenge, Session=session,
                ChallengeResponses={"USERNAME": username, **answer})
        except idp.exceptions.InvalidPasswordException as exc:
            raise WeakPassword(str(exc)) from None
        except (idp.exceptions.CodeMismatchException, idp.exceptions.NotAuthorizedException,
                idp.exceptions.ExpiredCodeException, idp.exceptions.ResourceNotFoundException,
                idp.exceptions.UserNotFoundException):
            raise WrongAnswer() from None
        return self._step(result)

    def mfa_secret(self, *, session: str | None = None, access_token: str | None = None) -> tuple[str, str | None]:
        idp = self.idp
        try:
            result = (idp.associate_software_token(Session=session) if session
                      else idp.associate_software_token(AccessToken=access_token))
        except (idp.exceptions.NotAuthorizedException, idp.exceptions.ResourceNotFoundException):
            raise WrongAnswer() from None
        return result["SecretCode"], result.get("Session")

    def mfa_verify(self, code: str, *, session: str | None = None, access_token: str | None = None) -> str | None:
        idp = self.idp
        try:
            result = (idp.verify_software_token(Session=session, UserCode=code) if session
                      else idp.verify_software_token(AccessToken=access_token, UserCode=code))
        except (idp.exceptions.CodeMismatchException, idp.exceptions.EnableSoftwareTokenMFAException,
                idp.exceptions.NotAuthorizedException, idp.exceptions.ResourceNotFoundException):
            raise WrongAnswer() from None
        if result.get("Status") != "SUCCESS":
            raise WrongAnswer()
        return result.get("Session")

    def mfa_enrolled(self, username: str) -> bool:
        user = self.idp.admin_get_user(UserPoolId=self.pool, Username=username)
        return "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or [])

    def enable_mfa(self, username: str) -> None:
        self.idp.admin_set_user_mfa_preference(UserPoolId=self.pool, Username=username,
                                               SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    def reset_mfa(self, member, email: str, temporary_password: str) -> None:
        """While MFA is required, AdminSetUserMFAPreference cannot take a TOTP app away, and
        there is no call that deletes one: the user is deleted (which ends every session)
        and created again with a temporary password, like a new invitation."""
        idp = self.idp
        try:
            idp.admin_delete_user(UserPoolId=self.pool, Username=member.username)
        except idp.exceptions.UserNotFoundException:
            pass        # a reset interrupted after the delete: taken up again by the next one
        self.invite(member, email, temporary_password)

    def invite(self, member, email: str, temporary_password: str) -> None:
        """AdminCreateUser with the temporary password and no message of Cognito's own (the
        platform's invitation carries it, through the notification queue)."""
        scope = [{"Name": k, "Value": v} for k, v in (("custom:district", member.district),
                                                        ("custom:province", member.province)) if v]
        self.idp.admin_create_user(UserPoolId=self.pool, Username=member.username, TemporaryPassword=temporary_password,
                                   MessageAction="SUPPRESS",
                                   UserAttributes=[{"Name": "email", "Value": email},
                                                   {"Name": "email_verified", "Value": "true"}, *scope])
        self.idp.admin_add_user_to_group(UserPoolId=self.pool, Username=member.username, GroupName=member.role)

    # --- the staff side of the pool ----------------------------------------------------

    def exists(self, username: str) -> bool:
        try:
            self.idp.admin_get_user(UserPoolId=self.pool, Username=username)
            return True
        except self.idp.exceptions.UserNotFoundException:
            return False

    def apply(self, member, *, sign_out: bool) -> None:
        idp, pool, user = self.idp, self.pool, member.username
        values = {"custom:district": member.district, "custom:province": member.province}
        present = [{"Name": k, "Value": v} for k, v in values.items() if v]
        if present:
            idp.admin_update_user_attributes(UserPoolId=pool, Username=user, UserAttributes=present)
        absent = [k for k, v in values.items() if not v]
        if absent:
            idp.admin_delete_user_attributes(UserPoolId=pool, Username=user, UserAttributeNames=absent)
        current = {g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool, Username=user)["Groups"]}
        for group in current - {member.role}:
            idp.admin_remove_user_from_group(UserPoolId=pool, Username=user, GroupName=group)
        if member.role not in current:
            idp.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName=member.role)
        if member.enabled:
            idp.admin_enable_user(UserPoolId=pool, Username=user)
        else:
            idp.admin_disable_user(UserPoolId=pool, Username=user)
        if sign_out:
            idp.admin_user_global_sign_out(UserPoolId=pool, Username=user)
