"""Phone verification for citizens: a 6-digit code by SMS, then a short-lived citizen
session. Pure rules; the store keeps only the code's keyed hash.

- a code lives 5 minutes and dies after 5 wrong tries;
- a request is throttled per client address first, then per (national id, phone) pair, so
  nobody can use up a phone's allowance with other people's national ids; a refusal gives
  back the client slot it took;
- the look-up and the send happen in the routing worker, so the answer to a request is the
  same, in content and in time, whether or not the pair is known (no enumeration);
- real sends to one phone are capped after the look-up (3 per 15 minutes, 10 a day), which
  the caller never sees;
- the session is a signed token of 30 minutes bound to the national-id HMAC and the
  phone's HMAC, with the method that verified the person (`otp` today; an identity
  provider such as e-Devlet would issue the same token with its own method).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
REQUESTS_PER_PAIR = 3          # per (national id, phone), per window
SENDS_PER_CLIENT = 10          # requests per client address, per window
SENDS_PER_PHONE = 3            # codes actually sent to one phone, per window
CODES_PER_PHONE_PER_DAY = 10   # and per İstanbul day
SEND_WINDOW_SECONDS = 15 * 60
SESSION_TTL = timedelta(minutes=30)
SESSION_PURPOSE = "citizen"


def new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"



def pair_fingerprint(keys, national_id: str, phone: str) -> str:
    """The keyed fingerprint of a (national id, phone) pair: the store keeps, under it, the
    numbers of the applications filed with that pair, so a code request is one keyed read
    whatever the person's history."""
    return keys.fingerprint(f"pair|{national_id}|{phone}".encode("utf-8"))[:40]


def phone_fingerprint(keys, phone: str) -> str:
    """The keyed fingerprint a phone is counted and matched by (never the number itself)."""
    return keys.fingerprint(f"phone|{phone}".encode("utf-8"))[:32]
