"""Structured JSON logging (Powertools Logger).

Never pass personal data to the logger: no national id, phone, name, address, e-mail
or application text. Log identifiers (application number, assignment id) and codes.
"""
from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger

    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "acik-kapi"),
                  level=os.environ.get("LOG_LEVEL", "INFO"))


def exception_summary(exc: BaseException) -> dict:
    """Where an error happened, without its message (messages can echo input)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return {"error_type": type(exc).__name__,
            "where": [f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in frames]}
