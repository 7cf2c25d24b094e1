"""The process's AWS clients: one botocore session, one client per service, one
pynamodb connection for DynamoDB, all made on first use (Chalice todo-app style).

The composition root (chalicelib/bootstrap.py) builds the `AwsClients` a container uses
and installs it with `use()`; building a new one (after the environment changed: tests,
the local stack) is how every client is forgotten. The endpoint comes from
AWS_ENDPOINT_URL when set (the local stack, moto), exactly as boto3 and pynamodb read
it; in AWS it is unset.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from ..config import settings

# A backend that does not answer must not hold a request for a minute: every AWS call
# (boto3 here, pynamodb in dynamodb/) gives up after CONNECT_TIMEOUT + READ_TIMEOUT per
# attempt, MAX_ATTEMPTS attempts, and the API answers 503 unavailable (api/http.py).
# DynamoDB, SQS, S3 and SES answer in milliseconds when healthy; the local stack's moto
# can take seconds under a burst, so it sets a longer read time-out through
# ACIKKAPI_READ_TIMEOUT (devstack/stack.py).
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = float(os.environ.get("ACIKKAPI_READ_TIMEOUT", "2"))
MAX_ATTEMPTS = 2

# Creating clients from a session is not thread-safe (chalice local and the local stack
# serve requests on threads), so every creation holds this lock; the clients themselves
# are thread-safe.
CREATION_LOCK = threading.RLock()


class AwsClients:
    """One botocore session per process, shared by every boto3 client and by pynamodb:
    each session loads the endpoint and partition data again, which was a third of a cold
    start's client time."""

    def __init__(self) -> None:
        self._session: Any = None
        self._clients: dict = {}
        self._dynamodb: Any = None

    def botocore_session(self):
        with CREATION_LOCK:
            if self._session is None:
                import botocore.session
                self._session = botocore.session.get_session()
            return self._session

    def client(self, service: str, signature_version: str | None = None):
        """The client for `service` (and a signature version, for presigning), made by the
        process's botocore session: the same client `boto3.client` returns, without importing
        boto3, whose s3transfer and multiprocessing imports (about 10 ms of a cold start) no
        call here uses (the code uses no boto3 resource and no managed transfer)."""
        key = (service, signature_version)
        found = self._clients.get(key)
        if found is None:
            with CREATION_LOCK:
                found = self._clients.get(key)
                if found is None:
                    from botocore.config import Config
                    found = self._clients[key] = self.botocore_session().create_client(
                        service, config=Config(retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                                               connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                                               signature_version=signature_version))
        return found

    def dynamodb(self):
        """The pynamodb Connection (on this session) that every model, transaction and raw
        DynamoDB call sends through: pynamodb would otherwise give each model class its own
        session and client (pynamodb issues #876, #1245)."""
        if self._dynamodb is None:
            with CREATION_LOCK:
                if self._dynamodb is None:
                    from pynamodb.connection import Connection

                    clients = self

                    class _OnThisSession(Connection):
                        @property
                        def session(self):
                            return clients.botocore_session()

                    connection = _OnThisSession(region=region(), connect_timeout_seconds=CONNECT_TIMEOUT,
                                                read_timeout_seconds=READ_TIMEOUT, max_retry_attempts=MAX_ATTEMPTS - 1)
                    connection.client   # made here, under the lock: client creation is not thread-safe
                    self._dynamodb = connection
        return self._dynamodb


def region() -> str:
    return settings().region


_current = AwsClients()


def use(clients: AwsClients) -> None:
    """The composition root installs the container's clients (a new object forgets the old)."""
    global _current
    _current = clients


def current() -> AwsClients:
    return _current


def client(service: str, signature_version: str | None = None):
    return _current.client(service, signature_version)


def unavailable(exc: BaseException | None) -> bool:
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
