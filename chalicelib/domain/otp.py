"""Phone verification for citizens: a 6-digit code by SMS, then a short-lived citizen
session. Pure rules; the store keeps only the code's keyed hash.

- a code lives 5 minutes and dies after 5 wrong tries;
- sending is throttled per phone (3 per 15 minutes) and per client address;
- the answer to a send is the same whether or not the phone is known (no enumeration);
- the session is a signed token of 30 minutes bound to the national-id HMAC and the
  phone's HMAC, with the method that verified the person (`otp` today; an identity
  provider such as e-Devlet would issue the same token with its own method).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
SENDS_PER_PHONE = 3
SENDS_PER_CLIENT = 10
SEND_WINDOW_SECONDS = 15 * 60
SESSION_TTL = timedelta(minutes=30)
SESSION_PURPOSE = "citizen"


def new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"

