"""Fakes of the ports that are not stores: the queues, the files, the keys, the clock,
the identity provider and the senders."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain.crypto import Keyring, SigningKeys
from chalicelib.domain.notifications import Notification


@dataclass
class FakePublisher:
    routed: list = field(default_factory=list)
    notified: list = field(default_factory=list)

    def ready(self):
        pass

    def route(self, message):
        self.routed.append(message)

    def route_many(self, messages):
        self.routed.extend(messages)

    def notify(self, notifications):
        self.notified.extend(notifications)

    def opened(self, message):
        """The fake queues notifications as objects: a message is one of them."""
        from chalicelib.services.ports import PoisonMessage
        if not isinstance(message, Notification):
            raise PoisonMessage("not a notification")
        return message

    def templates(self):
        return [n.template for n in self.notified]


class FakeStorage:
    UPLOAD_URL_SECONDS = 900

    def __init__(self):
        self.objects: dict[str, tuple[str, bytes]] = {}

    @staticmethod
    def attachment_key(application_no, owner, attachment_id):
        return f"uploads/{application_no}/{owner}/{attachment_id}"

    def presigned_upload(self, key, content_type):
        return {"url": "https://blobs.test/upload", "fields": {"key": key, "Content-Type": content_type}}

    def presigned_download(self, key, filename, content_type):
        return f"https://blobs.test/{key}?filename={filename}&type={content_type}"

    def read(self, key):
        return self.objects[key][1]

    def inspect(self, key):
        if key not in self.objects:
            return None
        content_type, body = self.objects[key]
        return {"size": len(body), "content_type": content_type, "head": body[:16]}

    def delete(self, key):
        self.objects.pop(key, None)

    def write(self, key, body, content_type):
        self.objects[key] = (content_type, body)

    @staticmethod
    def kept_key(upload_key):
        return "files/" + upload_key.removeprefix("uploads/")

    def take(self, key):
        kept = self.kept_key(key)
        if kept in self.objects:               # taken before: never replaced
            self.objects.pop(key, None)
            return kept
        if key not in self.objects:
            return None
        self.objects[kept] = self.objects.pop(key)
        return kept

    def delete_case_objects(self, application_no):
        gone = [k for k in self.objects if k.startswith((f"uploads/{application_no}/", f"files/{application_no}/"))]
        for k in gone:
            del self.objects[k]
        return len(gone)


class FakeKeys:
    """Real cryptography with fixed keys; `rotate()` activates a new signing key that a
    warm container only learns of through `refresh_signing_keys`."""

    def __init__(self):
        self.keyring = Keyring.from_master(b"k" * 32)
        self._published = SigningKeys("t1", {"t1": b"t" * 40})
        self._loaded = self._published

    def rotate(self, kid: str):
        self._published = SigningKeys(kid, {**self._published.keys, kid: kid.encode() * 40})

    def signing_keys(self):
        return self._loaded

    def refresh_signing_keys(self):
        changed = self._loaded != self._published
        self._loaded = self._published
        return changed

    def seal(self, plaintext, context):
        return self.keyring.encrypt(plaintext, context)

    def unseal(self, token, context):
        return self.keyring.decrypt(token, context)

    def national_id_hash(self, national_id):
        return self.keyring.national_id_hash(national_id)

    def access_code_hash(self, no, code):
        return self.keyring.access_code_hash(no, code)

    def verify_access_code(self, no, code, stored):
        return self.keyring.verify_access_code(no, code, stored)

    def fingerprint(self, data):
        return self.keyring.fingerprint(data)

    def sign_receipt(self, office, payload):
        return self.keyring.sign_receipt(office, payload)

    def verify_receipt(self, office, payload, signature):
        return self.keyring.verify_receipt(office, payload, signature)


class FakeIdentity:
    """The identity provider: users with passwords and TOTP apps (real codes: pyotp), and
    what was mirrored into it. A token is "token:<username>" (the real adapter verifies a
    signed JWT). The demo users have set up their app with DEMO_SECRET."""

    DEMO_SECRET = "JBSWY3DPEHPK3PXP"

    def __init__(self, users=("masa.maltepe", "sorumlu.maltepe", "masa.cankaya", "yonetici")):
        self.users = {u: None for u in users}
        self.passwords = {u: "AcikKapi-Demo-2026" for u in users}
        self.secrets = {u: self.DEMO_SECRET for u in users}
        self.enrolled = set(users)
        self.must_change: set[str] = set()
        self.sessions: dict[str, tuple[str, str]] = {}       # session -> (username, what it may answer)
        self.signed_out: list[str] = []
        self.emails: dict[str, str] = {}

    def _session(self, username, what):
        import secrets as s
        key = s.token_hex(8)
        self.sessions[key] = (username, what)
        return key

    def _tokens(self, username):
        from chalicelib.services.ports import SignInStep
        return SignInStep(tokens={"IdToken": f"token:{username}", "AccessToken": f"access:{username}",
                                  "RefreshToken": "r", "ExpiresIn": 3600})

    def _after_password(self, username):
        from chalicelib.services.ports import SignInStep
        if username in self.must_change:
            return SignInStep(challenge="NEW_PASSWORD_REQUIRED", session=self._session(username, "new_password"))
        if username in self.enrolled:
            return SignInStep(challenge="SOFTWARE_TOKEN_MFA", session=self._session(username, "code"))
        return self._tokens(username)         # like the local stand-in: no second factor set up, no challenge

    def sign_in(self, username, password):
        from chalicelib.services.ports import WrongAnswer
        member = self.users.get(username, False)
        if self.passwords.get(username) != password or (member and not member.enabled):
            raise WrongAnswer()
        return self._after_password(username)

    def _take(self, session, username, what):
        from chalicelib.services.ports import WrongAnswer
        if self.sessions.get(session) != (username, what):
            raise WrongAnswer()
        del self.sessions[session]

    def _code_ok(self, username, code):
        import pyotp
        return pyotp.TOTP(self.secrets.get(username) or "").verify(code, valid_window=1)

    def respond(self, username, challenge, session, answer):
        from chalicelib.services.ports import SignInStep, WeakPassword, WrongAnswer
        if challenge == "NEW_PASSWORD_REQUIRED":
            self._take(session, username, "new_password")
            new = answer["NEW_PASSWORD"]
            if len(new) < 12 or new.lower() == new or new.upper() == new or not any(c.isdigit() for c in new):
                self.sessions[session] = (username, "new_password")
                raise WeakPassword("policy")
            self.passwords[username] = new
            self.must_change.discard(username)
            if username not in self.enrolled:
                return SignInStep(challenge="MFA_SETUP", session=self._session(username, "setup"))
            return self._after_password(username)
        if challenge == "SOFTWARE_TOKEN_MFA":
            self._take(session, username, "code")
            if not self._code_ok(username, answer["SOFTWARE_TOKEN_MFA_CODE"]):
                raise WrongAnswer()
            return self._tokens(username)
        if challenge == "MFA_SETUP":
            self._take(session, username, "verified")
            return self._tokens(username)
        raise WrongAnswer()

    def _setting_up(self, session, access_token) -> str:
        """The user whose authenticator app is being set up: by the set-up session, or the token."""
        from chalicelib.services.ports import WrongAnswer
        if session is None:
            return (access_token or "").removeprefix("access:")
        username, what = self.sessions.get(session, (None, None))
        if what != "setup":
            raise WrongAnswer()
        return username

    def mfa_secret(self, *, session=None, access_token=None):
        import pyotp
        username = self._setting_up(session, access_token)
        secret = pyotp.random_base32()
        self.secrets[username] = secret
        return secret, session

    def mfa_verify(self, code, *, session=None, access_token=None):
        from chalicelib.services.ports import WrongAnswer
        username = self._setting_up(session, access_token)
        if not self._code_ok(username, code):
            raise WrongAnswer()
        self.enrolled.add(username)
        if session is not None:
            del self.sessions[session]
            return self._session(username, "verified")
        return None

    def mfa_enrolled(self, username):
        return username in self.enrolled

    def enable_mfa(self, username):
        self.enrolled.add(username)

    def reset_mfa(self, member, email, temporary_password):
        self.enrolled.discard(member.username)
        self.secrets.pop(member.username, None)
        self.signed_out.append(member.username)
        self.invite(member, email, temporary_password)

    def invite(self, member, email, temporary_password):
        self.passwords[member.username] = temporary_password
        self.must_change.add(member.username)
        self.emails[member.username] = email
        self.apply(member, sign_out=False)

    def verify(self, token):
        from chalicelib.services.ports import InvalidToken
        username = token.removeprefix("token:") if token.startswith("token:") else None
        member = self.users.get(username) if username else None
        if member is None:
            raise InvalidToken("unknown")
        return member.principal()

    def exists(self, username):
        return username in self.users

    def apply(self, member, *, sign_out):
        self.users[member.username] = copy.deepcopy(member)
        if sign_out:
            self.signed_out.append(member.username)


class FixedClock:
    def __init__(self, at: datetime):
        self.at = at

    def now(self):
        return self.at

    def advance(self, **delta):
        self.at += timedelta(**delta)




class FakeSenders:
    """What was sent, by channel; `refuse` makes the next send fail as a provider refusal."""

    def __init__(self):
        self.sms: list[tuple[str, str]] = []
        self.email: list[tuple[str, str, str]] = []
        self.webhooks: list[tuple[str, bytes, dict]] = []
        self.refuse = False

    def _maybe_refuse(self):
        if self.refuse:
            raise RuntimeError("refused")

    def send_sms(self, phone, body):
        self._maybe_refuse()
        self.sms.append((phone, body))

    def send_email(self, to, subject, body):
        self._maybe_refuse()
        self.email.append((to, subject, body))

    def post_webhook(self, url, body, headers):
        self._maybe_refuse()
        self.webhooks.append((url, body, dict(headers)))

    def surely_not_sent(self, exc):
        return str(exc) == "refused"
