import json
import time
import urllib.error
import urllib.request


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null"), dict(err.headers)


def wait_for(predicate, timeout=15.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def track(stack, receipt):
    return call("GET", f"{stack.api}/v1/applications/{receipt['application_no']}",
                headers={"X-Access-Code": receipt["access_code"]})[1]


def outbox_for(stack, application_no):
    box = call("GET", f"{stack.api}/v1/dev/outbox")[1]
    return ([m for m in box["sms"] if application_no in m["body"]],
            [m for m in box["email"] if application_no in m["subject"]])


def inst_link(mails) -> str:
    """The institution's signed link among a case's e-mails (the citizen's receipt is one too)."""
    return next(link for m in mails for link in m["links"] if "kurum.html#t=" in link)


def has_inst_link(mails) -> bool:
    return any("kurum.html#t=" in link for m in mails for link in m["links"])


def own_phone() -> str:
    """A mobile number of the test's own. One phone gets at most 10 unsolicited SMS a day
    (docs/security.md), and the session's other journeys spend the demo phone's."""
    import random
    return f"0533 {random.randint(100, 999)} {random.randint(10, 99)} {random.randint(10, 99)}"


def staff_headers(stack, username: str, password: str = "AcikKapi-Demo-2026") -> dict:
    """A demo staff member signed in over the API: the password, then the code of their
    authenticator app (every staff sign-in has two factors)."""
    status, body, _ = call("POST", f"{stack.api}/v1/staff/session", {"username": username, "password": password})
    assert status == 200, body
    if body.get("challenge") == "mfa_code":
        status, body, _ = call("POST", f"{stack.api}/v1/staff/session/challenge",
                               {"username": username, "session": body["session"], "challenge": "mfa_code",
                                "code": stack.totp()})
        assert status == 200, body
    assert "id_token" in body, body
    return {"Authorization": f"Bearer {body['id_token']}"}
