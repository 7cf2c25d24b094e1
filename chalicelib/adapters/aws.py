"""Lazily created boto3 clients, one per service and process (Chalice todo-app style).

The endpoint comes from AWS_ENDPOINT_URL when set (the local stack, moto), exactly as
boto3 and pynamodb read it; in AWS it is unset.
"""
from __future__ import annotations

import os
from functools import lru_cache

# A backend that does not answer must not hold a request for a minute: every AWS call
# (boto3 here, pynamodb in dynamo.py and store.py) gives up after CONNECT_TIMEOUT +
# READ_TIMEOUT per attempt, MAX_ATTEMPTS attempts, and the API answers 503 unavailable
# (api/http.py). DynamoDB, SQS, S3 and SES answer in milliseconds when healthy; the
# local stack's moto can take seconds under a burst, so it sets a longer read time-out
# through ACIKKAPI_READ_TIMEOUT (devstack/stack.py).
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = float(os.environ.get("ACIKKAPI_READ_TIMEOUT", "2"))
MAX_ATTEMPTS = 2


@lru_cache(maxsize=None)
def client(service: str):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service, config=Config(retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                               connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT))


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
    client.cache_clear()
