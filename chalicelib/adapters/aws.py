"""Lazily created boto3 clients, one per service and process (Chalice todo-app style).

The endpoint comes from AWS_ENDPOINT_URL when set (the local stack, moto), exactly as
boto3 and pynamodb read it; in AWS it is unset.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def client(service: str):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service, config=Config(retries={"max_attempts": 3, "mode": "standard"},
                               connect_timeout=3, read_timeout=10))


def reset() -> None:
    client.cache_clear()
