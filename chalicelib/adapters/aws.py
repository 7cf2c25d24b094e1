"""Lazily created boto3 clients, one per service and process (Chalice todo-app style),
all from one botocore session.

The endpoint comes from AWS_ENDPOINT_URL when set (the local stack, moto), exactly as
boto3 and pynamodb read it; in AWS it is unset.
"""
from __future__ import annotations

import os
import threading

# A backend that does not answer must not hold a request for a minute: every AWS call
# (boto3 here, pynamodb in dynamo.py and store.py) gives up after CONNECT_TIMEOUT +
# READ_TIMEOUT per attempt, MAX_ATTEMPTS attempts, and the API answers 503 unavailable
# (api/http.py). DynamoDB, SQS, S3 and SES answer in milliseconds when healthy; the
# local stack's moto can take seconds under a burst, so it sets a longer read time-out
# through ACIKKAPI_READ_TIMEOUT (devstack/stack.py).
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = float(os.environ.get("ACIKKAPI_READ_TIMEOUT", "2"))
MAX_ATTEMPTS = 2


# One botocore session per process, shared by every boto3 client here and by pynamodb
# (adapters/dynamo.py): each session loads the endpoint and partition data again, which
# was a third of a cold start's client time. Creating clients from a session is not
# thread-safe (chalice local and the local stack serve requests on threads), so every
# creation holds this lock; the clients themselves are thread-safe.
CREATION_LOCK = threading.RLock()
_session = None
_boto3 = None
_clients: dict = {}


def botocore_session():
    """The process's botocore session (call with CREATION_LOCK held to create a client from it)."""
    global _session
    with CREATION_LOCK:
        if _session is None:
            import botocore.session
            _session = botocore.session.get_session()
        return _session


def _boto3_session():
    global _boto3
    if _boto3 is None:
        import boto3
        _boto3 = boto3.session.Session(botocore_session=botocore_session())
    return _boto3


def client(service: str, signature_version: str | None = None):
    """The process's boto3 client for `service` (and a signature version, for presigning),
    made on first use."""
    key = (service, signature_version)
    found = _clients.get(key)
    if found is None:
        with CREATION_LOCK:
            found = _clients.get(key)
            if found is None:
                from botocore.config import Config
                found = _clients[key] = _boto3_session().client(
                    service, config=Config(retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                                           connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                                           signature_version=signature_version))
    return found


def unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) is a backend that could not be reached or did
    not answer in time, as opposed to a refusal or a bug."""
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import ReadTimeoutError
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (BotoConnectionError, ReadTimeoutError, TimeoutError, ConnectionError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def reset() -> None:
    """Forget the clients and the session (after the environment changed: tests, the local stack)."""
    global _session, _boto3
    with CREATION_LOCK:
        _clients.clear()
        _session = _boto3 = None
