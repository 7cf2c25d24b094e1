"""A Lambda container's first invocation: the cyclic garbage collector waits until it is served.

Imports are lazy (a health check stays cheap), so the first submit of a container loads
most of the code: pydantic models, pynamodb models, botocore's service descriptions. Every
few hundred new objects CPython's cyclic collector runs, and its full passes walk all of
them again; that was about 70 ms of a 300 ms first submit (docs/performance.md). None of
those objects are garbage.

In Lambda (AWS_LAMBDA_FUNCTION_NAME is set) `app.py` pauses the collector when it is
imported. After the first invocation, whatever its outcome, the objects alive at that
point are moved out of every later collection (`gc.freeze`: they are the code and the
clients, which live as long as the container) and the collector runs as usual again.
A middleware in `app.py` does that around every handler; Chalice runs none around an
authorizer, so the staff authorizer (a Lambda function of its own) does it itself.
Nothing changes anywhere else: tests, `chalice local` and the local stack's pump keep
the collector on throughout.
"""
from __future__ import annotations

import gc
import os

_paused = False


def pause_collector() -> bool:
    """Pause the collector until `resume_collector`, in a Lambda container only; True if paused."""
    global _paused
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _paused = True
    return _paused


def resume_collector() -> None:
    """After an invocation: if the collector was paused, freeze what is alive and resume it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
