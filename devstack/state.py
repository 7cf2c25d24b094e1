"""The local stack's data across restarts, in `.local/state/` (FRESH=1 starts clean).

moto keeps everything in memory. The stack saves, every SAVE_INTERVAL seconds and when
it stops, what an office trying the system would miss after a restart:
- every item of every table in the template (cases, assignments, audit, staff access…);
- the attachment objects;
- the keys (the master key seals personal data, the signing keys sign the links already
  e-mailed), in `keys.json`;
- the outbox of e-mails and SMS already "sent" (`outbox.json`, served again by moto).

On start, after provisioning a fresh moto from the template, it writes them back. A
kill -9 loses at most the last SAVE_INTERVAL seconds (or five times the last save's duration, on
a large local state). Not kept: messages still waiting
in the queues (the 15-minute sweep re-sends the routing message of any case not routed),
and Cognito: the demo users are created again, so staff sign in again after a restart.
Each file is written to a temporary name and renamed, so a crash never leaves half a file.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import threading
import time
from pathlib import Path

SAVE_INTERVAL = float(os.environ.get("LOCAL_SAVE_INTERVAL", "5"))


def state_dir(root: Path) -> Path:
    return Path(os.environ.get("ACIKKAPI_LOCAL_STATE") or root / ".local" / "state")


def _write(path: Path, data) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


def _read(path: Path):
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def prepare(root: Path) -> Path:
    """The state directory, emptied first when FRESH=1."""
    d = state_dir(root)
    if os.environ.get("FRESH") == "1" and d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True, exist_ok=True)
    return d


def keys_if_saved(d: Path) -> dict:
    saved = _read(d / "keys.json")
    return saved if isinstance(saved, dict) else {}


def keys(d: Path, make) -> dict:
    """The stack's keys: the saved ones, or new ones (saved at once)."""
    saved = _read(d / "keys.json")
    if isinstance(saved, dict) and saved.get("ACIKKAPI_MASTER_KEY") and saved.get("LINK_SIGNING_KEYS"):
        return saved
    fresh = make()
    _write(d / "keys.json", fresh)
    return fresh


def _encode(value):
    """A DynamoDB attribute value as JSON: binary ("B", "BS") as base64, nested ones too."""
    (kind, v), = value.items()
    if kind == "B":
        return {"B64": base64.b64encode(v).decode()}
    if kind == "BS":
        return {"BS64": [base64.b64encode(x).decode() for x in v]}
    if kind == "L":
        return {"L": [_encode(x) for x in v]}
    if kind == "M":
        return {"M": {k: _encode(x) for k, x in v.items()}}
    return value


def _decode(value):
    (kind, v), = value.items()
    if kind == "B64":
        return {"B": base64.b64decode(v)}
    if kind == "BS64":
        return {"BS": [base64.b64decode(x) for x in v]}
    if kind == "L":
        return {"L": [_decode(x) for x in v]}
    if kind == "M":
        return {"M": {k: _decode(x) for k, x in v.items()}}
    return value


def save(d: Path, tables: list[str], bucket: str | None, outbox_url: str) -> None:
    import urllib.request

    import boto3
    ddb = boto3.client("dynamodb")
    dump = {}
    for table in tables:
        items = []
        for page in ddb.get_paginator("scan").paginate(TableName=table):
            items += [{k: _encode(v) for k, v in item.items()} for item in page["Items"]]
        dump[table] = items
    objects = []
    if bucket:
        s3 = boto3.client("s3")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                got = s3.get_object(Bucket=bucket, Key=o["Key"])
                objects.append({"key": o["Key"], "content_type": got.get("ContentType", ""),
                                "body": base64.b64encode(got["Body"].read()).decode()})
    with urllib.request.urlopen(outbox_url, timeout=10) as resp:
        outbox = json.loads(resp.read())
    _write(d / "tables.json", dump)
    _write(d / "objects.json", objects)
    _write(d / "outbox.json", outbox)


def restore(d: Path, bucket: str | None) -> dict:
    """Writes the saved items and objects into a freshly provisioned moto; counts."""
    import boto3
    counts = {"items": 0, "objects": 0}
    ddb = boto3.client("dynamodb")
    for table, items in (_read(d / "tables.json") or {}).items():
        for i in range(0, len(items), 25):
            request = {table: [{"PutRequest": {"Item": {k: _decode(v) for k, v in item.items()}}}
                               for item in items[i:i + 25]]}
            while request:
                request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        counts["items"] += len(items)
    if bucket:
        s3 = boto3.client("s3")
        for o in _read(d / "objects.json") or []:
            s3.put_object(Bucket=bucket, Key=o["key"], Body=base64.b64decode(o["body"]),
                          ContentType=o["content_type"] or "application/octet-stream")
            counts["objects"] += 1
    return counts


def saved_outbox(d: Path) -> dict:
    return _read(d / "outbox.json") or {"email": [], "sms": []}


class Saver:
    """Saves every SAVE_INTERVAL seconds on a thread, and once more on stop()."""

    def __init__(self, d: Path, tables: list[str], bucket: str | None, outbox_url: str):
        self.args = (d, tables, bucket, outbox_url)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="state-saver", daemon=True)

    def start(self) -> "Saver":
        self.thread.start()
        return self

    def save_now(self) -> None:
        with self.lock:
            save(*self.args)

    def _run(self) -> None:
        """Every SAVE_INTERVAL seconds, or five times as long as the last save took if that
        is longer: a save reads every table and the outbox, so on a large local state a
        fixed 5 s would keep moto busy with the saver instead of the requests."""
        wait = SAVE_INTERVAL
        while not self.stopping.wait(wait):
            started = time.monotonic()
            try:
                self.save_now()
                wait = max(SAVE_INTERVAL, 5 * (time.monotonic() - started))
            except Exception as exc:  # noqa: BLE001 - moto going away at shutdown
                if not self.stopping.is_set():
                    print(f"[state] save failed: {type(exc).__name__}", flush=True)

    def stop(self) -> None:
        self.stopping.set()
        self.save_now()
