"""Staff sign-in with two factors (issue 38): a password, then a code from an
authenticator app (TOTP, the identity provider's software token). An invited member sets
a new password and the app at first sign-in; every later sign-in asks for a code.

- Each step of a sign-in is counted against the username: five wrong answers in 15 minutes
  (passwords and codes alike) and the account is locked for the rest of the window (429).
  The slot is taken before the provider is asked, so a burst cannot pass the limit, and a
  right answer gives it back.
- Whatever the provider does, nobody gets tokens without a second factor: if it let a user
  in who has none (the local stand-in does for a user who never set one up), the tokens are
  held, sealed, until the user has set up an app and given its first code.
- The set-up step carries the secret for manual entry and a QR code (an `otpauth://` URI
  as an SVG data URI) for the authenticator app.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import quote

from ..domain.errors import AppError, Throttled, Unauthorized, ValidationFailed
from ..domain.throttle import Counter
from .ports import Ports, SignInStep, WeakPassword, WrongAnswer

ISSUER = "Açık Kapı"
FAILURES_PER_WINDOW = 5
WINDOW_SECONDS = 15 * 60
HELD_TTL = timedelta(minutes=5)          # tokens held while the app is set up
CHALLENGES = {"NEW_PASSWORD_REQUIRED": "new_password", "MFA_SETUP": "mfa_setup", "SOFTWARE_TOKEN_MFA": "mfa_code"}
HELD = "held."


def _counter(ports: Ports, username: str) -> tuple[Counter, datetime, int]:
    now = ports.clock.now()
    window = int(now.timestamp()) // WINDOW_SECONDS
    wait = (window + 1) * WINDOW_SECONDS - int(now.timestamp())
    return Counter("staff-signin", username.casefold(), window), now + timedelta(seconds=wait + 60), wait


def _attempt(ports: Ports, username: str, step):
    """Runs one sign-in step within the username's limit: the slot is taken first and
    given back by a right answer."""
    counter, expires, wait = _counter(ports, username)
    if not ports.counters.take(counter, FAILURES_PER_WINDOW, expires):
        raise Throttled("account_locked", "Çok fazla hatalı giriş denemesi; hesap geçici olarak kilitlendi. "
                        f"{wait // 60 + 1} dakika sonra tekrar deneyiniz.", headers={"Retry-After": str(wait)})
    try:
        result = step()
    except WrongAnswer:
        raise Unauthorized("invalid_credentials", "Kullanıcı adı, parola ya da doğrulama kodu hatalı.") from None
    ports.counters.give_back(counter)
    return result


def sign_in(ports: Ports, data) -> dict:
    from ..domain.schemas import SessionIn, parse
    req = parse(SessionIn, data)
    step = _attempt(ports, req.username, lambda: ports.identity.sign_in(req.username, req.password))
    return _next(ports, req.username, step, second_factor=False)


def respond(ports: Ports, data) -> dict:
    """The answer to a challenge of the sign-in (`challenge` as the last step named it)."""
    from ..domain.schemas import SignInChallengeIn, parse
    req = parse(SignInChallengeIn, data)
    identity, user = ports.identity, req.username
    if req.challenge == "new_password" and not req.new_password:
        raise ValidationFailed([{"code": "required", "field": "new_password", "message": "Yeni parolayı yazınız."}])
    if req.challenge != "new_password" and not req.code:
        raise ValidationFailed([{"code": "required", "field": "code",
                                 "message": "Doğrulama uygulamasındaki 6 haneli kodu yazınız."}])
    if req.challenge == "new_password":
        def change() -> SignInStep:
            try:
                return identity.respond(user, "NEW_PASSWORD_REQUIRED", req.session, {"NEW_PASSWORD": req.new_password})
            except WeakPassword:
                raise ValidationFailed([{"code": "weak_password", "field": "new_password",
                                         "message": "Parola en az 12 karakter olmalı; büyük harf, küçük harf ve "
                                                    "rakam içermelidir."}]) from None
        return _next(ports, user, _attempt(ports, user, change), second_factor=False)
    if req.challenge == "mfa_code":
        step = _attempt(ports, user, lambda: identity.respond(user, "SOFTWARE_TOKEN_MFA", req.session,
                                                              {"SOFTWARE_TOKEN_MFA_CODE": req.code}))
        return _next(ports, user, step, second_factor=True)
    if req.session.startswith(HELD):            # tokens we held until the app is set up
        held = _unhold(ports, user, req.session)
        _attempt(ports, user, lambda: identity.mfa_verify(req.code, access_token=held["AccessToken"]))
        identity.enable_mfa(user)
        return _next(ports, user, SignInStep(tokens=held), second_factor=True)
    finish = _attempt(ports, user, lambda: identity.mfa_verify(req.code, session=req.session))
    step = _attempt(ports, user, lambda: identity.respond(user, "MFA_SETUP", finish or req.session, {}))
    identity.enable_mfa(user)
    return _next(ports, user, step, second_factor=True)


def _next(ports: Ports, username: str, step: SignInStep, *, second_factor: bool) -> dict:
    identity = ports.identity
    if step.tokens:
        if not second_factor and not identity.mfa_enrolled(username):
            secret, _ = identity.mfa_secret(access_token=step.tokens["AccessToken"])
            return {"challenge": "mfa_setup", "session": _hold(ports, username, step.tokens),
                    **setup_view(username, secret)}
        principal = identity.verify(step.tokens["IdToken"])
        t = step.tokens
        return {"id_token": t["IdToken"], "access_token": t.get("AccessToken"), "refresh_token": t.get("RefreshToken"),
                "expires_in": t.get("ExpiresIn"), "user": principal.context()}
    name = CHALLENGES.get(step.challenge or "")
    if name is None or not step.session:
        raise AppError("unsupported_challenge", "Bu giriş adımı desteklenmiyor; yöneticinize başvurunuz.", status=401)
    if name == "mfa_setup":
        secret, session = identity.mfa_secret(session=step.session)
        return {"challenge": name, "session": session or step.session, **setup_view(username, secret)}
    return {"challenge": name, "session": step.session}


def setup_view(username: str, secret: str) -> dict:
    """What the console shows to set up the authenticator app: the secret (to type in)
    and a QR code of the otpauth URI, as an SVG data URI (no script, nothing to inject)."""
    import segno
    uri = f"otpauth://totp/{quote(ISSUER)}:{quote(username)}?secret={secret}&issuer={quote(ISSUER)}"
    return {"secret": secret, "otpauth_uri": uri,
            "qr": segno.make(uri, error="m").svg_data_uri(scale=4, border=2, dark="#0b0c0c")}


def _hold(ports: Ports, username: str, tokens: dict) -> str:
    payload = json.dumps({"tokens": tokens, "at": ports.clock.now().isoformat()})
    return HELD + ports.keys.seal(payload, f"mfa-hold:{username.casefold()}")


def _unhold(ports: Ports, username: str, session: str) -> dict:
    try:
        held = json.loads(ports.keys.unseal(session.removeprefix(HELD), f"mfa-hold:{username.casefold()}"))
        at = datetime.fromisoformat(held["at"])
    except Exception:  # noqa: BLE001 - a forged or another user's session is simply refused
        raise Unauthorized("invalid_session", "Giriş oturumu geçersiz; baştan giriş yapınız.") from None
    if ports.clock.now() - at > HELD_TTL:
        raise Unauthorized("invalid_session", "Giriş oturumunun süresi doldu; baştan giriş yapınız.")
    return held["tokens"]
