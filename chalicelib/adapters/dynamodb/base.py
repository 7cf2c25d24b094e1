"""What every DynamoDB adapter shares: the translation of DynamoDB's refusals into the
ports' errors, the transaction runner, conditional puts, batched reads by key and the
signed page cursors."""
from __future__ import annotations

import base64
import hmac
import json
import random
import time
from datetime import datetime
from typing import Callable

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ...domain import sweeps
from ...services.ports import InvalidCursor, StaleCase, TransientConflict
from . import itemkeys as K
from .models import transaction_connection


def code(exc) -> str | None:
    """The DynamoDB error code behind a pynamodb error; None when there was no answer
    at all (a time-out or a refused connection: pynamodb's property then fails)."""
    try:
        return exc.cause_response_code
    except (AttributeError, KeyError, TypeError):
        return None


def message(exc) -> str | None:
    try:
        return exc.cause_response_message
    except (AttributeError, KeyError, TypeError):
        return None


def reasons(exc: TransactWriteError) -> list[str | None]:
    return [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]


def conflicted(exc: TransactWriteError) -> bool:
    return "TransactionConflict" in reasons(exc) or code(exc) == "TransactionInProgressException"


def raise_for(exc: TransactWriteError):
    """The one translation of a cancelled transaction into the ports' errors."""
    if "ConditionalCheckFailed" in reasons(exc):
        raise StaleCase() from None
    if conflicted(exc):
        raise TransientConflict() from None
    raise exc


def run_transaction(build: Callable, *, heal: Callable[[TransactWriteError], bool] | None = None) -> None:
    """Runs `build(tx)` as one TransactWriteItems. A cancelled transaction wrote nothing,
    so it is run again: after a TransactionConflict (two writers on a shared counter at
    once), up to four attempts with a short random back-off; and once after `heal`
    repaired what made it fail (it returns True when it did)."""
    healed = False
    for attempt in range(4):
        try:
            with TransactWrite(connection=transaction_connection()) as tx:
                build(tx)
            return
        except TransactWriteError as exc:
            if heal is not None and not healed and heal(exc):
                healed = True
                continue
            if attempt < 3 and conflicted(exc) and "ConditionalCheckFailed" not in reasons(exc):
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
                continue
            raise


def conditional_put(item, condition=None) -> bool:
    """PutItem with a condition (and the item's version check, if it has one); False when
    either failed."""
    try:
        item.save(condition=condition)
        return True
    except PutError as exc:
        if code(exc) == "ConditionalCheckFailedException":
            return False
        raise


def full(model, keys: list[tuple[str, str]], *, consistent: bool = True) -> list:
    """The whole items behind index keys: BatchGetItem, 100 keys a call (consistent unless
    the caller allows a moment's lag)."""
    out: list = []
    for start in range(0, len(keys), 100):
        out += list(model.batch_get(keys[start:start + 100], consistent_read=consistent))
    return out


def due_keys(model, kind: str, now: datetime, *, per_shard: int | None = None):
    """What is due by `now` from the sparse sweep index, shard by shard (keys and the
    district only): a sweep reads what is due, never what is not; at most `per_shard` of
    each shard when given, the earliest first."""
    upper = sweeps.sweep_key(now, "\uffff")
    for shard in range(sweeps.SHARDS):
        query = model.sweep.query(K.sweep_pk(kind, shard), model.sweep_sk <= upper,
                                  **({"limit": per_shard, "page_size": per_shard} if per_shard else {}))
        yield from query


def key_of(item, index: str) -> dict:
    h, r = K.INDEX_KEYS[index]
    return {"pk": {"S": item.pk}, "sk": {"S": item.sk}, h: {"S": getattr(item, h)}, r: {"S": getattr(item, r)}}


# --- page cursors: the last key of a page, signed -----------------------------------------

def _cursor_mac(keys, payload: str) -> str:
    return keys.fingerprint(b"queue-cursor:" + payload.encode("ascii"))[:32]


def encode_cursor(keys, key: dict) -> str:
    """The client gets an opaque token back that only this service can have made, so a
    crafted key never reaches DynamoDB."""
    payload = base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{_cursor_mac(keys, payload)}"


def decode_cursor(keys, cursor: str, hash_attr: str, hash_value: str) -> dict:
    try:
        payload, _, mac = cursor.partition(".")
        if not payload.isascii() or not hmac.compare_digest(mac.encode("ascii"), _cursor_mac(keys, payload).encode()):
            raise ValueError
        key = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if not isinstance(key, dict) or key.get(hash_attr, {}).get("S") != hash_value:
            raise ValueError  # signed for another district or filter
        return key
    except (ValueError, TypeError, AttributeError, UnicodeError):
        raise InvalidCursor() from None
