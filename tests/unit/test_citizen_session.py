"""Phone verification and the citizen session (domain/otp.py, services/citizen_session.py),
on the fakes with a fixed clock: expiry, tries, throttle, no enumeration, hash only, and
the session token (tampered, expired, another person's)."""
from __future__ import annotations


import pytest

from chalicelib.domain.errors import Throttled, Unauthorized
from chalicelib.services import applications, citizen_session as S
from tests.conftest import VALID_APPLICATION

NID, PHONE = "10000000146", "05321234567"


def _filed(p, **applicant):
    body = {**VALID_APPLICATION, "applicant": {**VALID_APPLICATION["applicant"], **applicant}}
    return applications.submit(p, body, idempotency_key_header=None).body


def _code(p):
    [n] = [n for n in p.publisher.notified if n.template == "otp"][-1:]
    return n.params["code"]


def test_a_known_phone_gets_a_code_stored_only_as_a_hash(p):
    _filed(p)
    answer = S.request_code(p, {"national_id": NID, "phone": PHONE}, client="1.2.3.4")
    code = _code(p)
    assert len(code) == 6 and code.isdigit()
    assert code not in repr(p.phone_codes.codes)                         # only the keyed hash is kept
    unknown = S.request_code(p, {"national_id": "10000000078", "phone": "05329998877"}, client="1.2.3.5")
    assert unknown == answer                                       # the same answer: no enumeration
    assert len([n for n in p.publisher.notified if n.template == "otp"]) == 1
    assert "10000000146" not in repr(p.publisher.notified[-1].params)


def test_the_code_opens_a_session_once_and_dies_after_5_minutes_or_5_wrong_tries(p):
    _filed(p)
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c")
    code = _code(p)
    session = S.open_session(p, {"national_id": NID, "phone": PHONE, "code": code})
    assert session["expires_in"] == 1800 and session["token"].startswith("v1.")
    with pytest.raises(Unauthorized):                              # used once
        S.open_session(p, {"national_id": NID, "phone": PHONE, "code": code})
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c")
    code = _code(p)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(Unauthorized):
            S.open_session(p, {"national_id": NID, "phone": PHONE, "code": wrong})
    with pytest.raises(Unauthorized):                              # the right code, too late: 5 tries used
        S.open_session(p, {"national_id": NID, "phone": PHONE, "code": code})
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c")
    code = _code(p)
    p.clock.advance(minutes=5, seconds=1)
    with pytest.raises(Unauthorized):
        S.open_session(p, {"national_id": NID, "phone": PHONE, "code": code})


def test_sending_is_throttled_per_phone_and_per_client(p):
    _filed(p)
    for _ in range(3):
        S.request_code(p, {"national_id": NID, "phone": PHONE}, client=f"c{_}")
    with pytest.raises(Throttled) as err:
        S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c9")
    assert int(err.value.headers["Retry-After"]) <= 15 * 60
    for i in range(10):
        S.request_code(p, {"national_id": NID, "phone": f"0532000{i:04d}"}, client="one-address")
    with pytest.raises(Throttled):
        S.request_code(p, {"national_id": NID, "phone": "05320009999"}, client="one-address")
    p.clock.advance(minutes=16)
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c9")      # a new window


def test_the_session_lists_only_this_persons_applications_with_this_phone(p):
    first, second = _filed(p), _filed(p)
    _filed(p, phone="05329998877")                                 # same person, another phone
    _filed(p, national_id="10000000078")                           # another person, same phone
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c")
    token = S.open_session(p, {"national_id": NID, "phone": PHONE, "code": _code(p)})["token"]
    mine = S.my_applications(p, f"Bearer {token}", {})["applications"]
    assert sorted(a["application_no"] for a in mine) == sorted([first["application_no"], second["application_no"]])
    view = S.my_application(p, f"Bearer {token}", first["application_no"])
    assert view["application_no"] == first["application_no"]


def test_a_tampered_expired_or_foreign_session_is_refused(p):
    _filed(p)
    other = _filed(p, national_id="10000000078", phone="05329998877")
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c")
    token = S.open_session(p, {"national_id": NID, "phone": PHONE, "code": _code(p)})["token"]
    head, kid, payload, sig = token.split(".")
    for bad in (f"{head}.{kid}.{payload}.{sig[:-2]}AA", "v1.k1.eA.eA", "", "Bearer"):
        with pytest.raises(Unauthorized):
            S.my_applications(p, f"Bearer {bad}", {})
    from chalicelib.domain.errors import NotFound
    with pytest.raises(NotFound):                                  # another person's application
        S.my_application(p, f"Bearer {token}", other["application_no"])
    p.clock.advance(minutes=31)
    with pytest.raises(Unauthorized):
        S.my_applications(p, f"Bearer {token}", {})


def test_a_submission_within_the_session_is_marked_phone_verified(p):
    _filed(p)
    S.request_code(p, {"national_id": NID, "phone": PHONE}, client="c")
    token = S.open_session(p, {"national_id": NID, "phone": PHONE, "code": _code(p)})["token"]
    verified = applications.submit(p, VALID_APPLICATION, idempotency_key_header=None,
                                   authorization=f"Bearer {token}").body
    assert p.cases.get(verified["application_no"].replace("-", "")).phone_verified is True
    other = {**VALID_APPLICATION, "applicant": {**VALID_APPLICATION["applicant"], "national_id": "10000000078"}}
    not_theirs = applications.submit(p, other, idempotency_key_header=None, authorization=f"Bearer {token}").body
    assert p.cases.get(not_theirs["application_no"].replace("-", "")).phone_verified is False


def test_an_idempotency_key_replays_for_24_hours_then_files_anew(p):
    """The same key and body within its period give the first receipt again; past it, the
    record is spent even where TTL has not deleted it yet, and the body is a new application."""
    first = applications.submit(p, VALID_APPLICATION, idempotency_key_header="k-retry-1")
    p.clock.advance(hours=23, minutes=59)
    again = applications.submit(p, VALID_APPLICATION, idempotency_key_header="k-retry-1")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.body["application_no"] == first.body["application_no"]
    p.clock.advance(minutes=2)
    later = applications.submit(p, VALID_APPLICATION, idempotency_key_header="k-retry-1")
    assert later.status == 201 and "Idempotent-Replayed" not in later.headers
    assert later.body["application_no"] != first.body["application_no"]
    assert p.cases.get(later.body["application_no"].replace("-", "")) is not None
