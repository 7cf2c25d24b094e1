"""The local stack's data across restarts, in `.local/state/` (FRESH=1 starts clean).

moto keeps everything in memory. The stack saves, every SAVE_INTERVAL seconds and when
it stops, what an office trying the system would miss after a restart:
- every item of every table in the template (cases, assignments, audit, staff access…);
- the attachment objects;
- the keys (the master key seals personal data, the signing keys sign the links already
  e-mailed), in `keys.json`;
- the outbox of e-mails and SMS already "sent" (served again by moto).

A save writes only what changed: moto's write wrappers note the key of every item
written, and the saver drains those items (`/_local/changes`) and the messages sent
since the last save (`/_local/sent`) and appends them to `tables.log` and `outbox.log`.
Reading every table on each save made each save grow with the history, and the
requests and the pump with it. On start, before moto runs, each log is folded into its
snapshot (`tables.json`, `outbox.json`); a log that outgrows its snapshot is folded while
running, too. Then, after provisioning a fresh moto from the template, the items and
objects are written back. A kill -9 loses at most the last SAVE_INTERVAL seconds (a torn
last log line is skipped). Not kept: messages still waiting in the queues (the 15-minute
sweep re-sends the routing message of any case not routed), and Cognito: the demo users
are created again, so staff sign in again after a restart. Snapshots are written to a
temporary name and renamed, so a crash never leaves half a file.
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
    fold_tables(d)          # before moto starts: restore and moto's outbox read the snapshots
    fold_outbox(d)
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


def _b64(v) -> str:
    return base64.b64encode(v).decode() if isinstance(v, (bytes, bytearray)) else v


def _saved(value):
    """A DynamoDB JSON attribute value as moto hands it out (binary as bytes, or as
    base64 once through JSON) in the form the snapshot keeps, which `_decode` reads."""
    (kind, v), = value.items()
    if kind == "B":
        return {"B64": _b64(v)}
    if kind == "BS":
        return {"BS64": [_b64(x) for x in v]}
    if kind == "L":
        return {"L": [_saved(x) for x in v]}
    if kind == "M":
        return {"M": {k: _saved(x) for k, x in v.items()}}
    return value


def _read_log(path: Path) -> list:
    """The log's entries in order; a torn line (a kill -9 while appending) is skipped."""
    entries = []
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue
    except OSError:
        pass
    return entries


def _append(path: Path, entries: list) -> None:
    if entries:
        with path.open("a", encoding="utf-8") as f:
            f.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))


def _identity(key: dict) -> str:
    return json.dumps(key, sort_keys=True)


def fold_tables(d: Path) -> None:
    """`tables.json` with `tables.log` applied in order, then the log removed (applying it
    twice, after a crash between the two steps, gives the same items)."""
    log = d / "tables.log"
    entries = _read_log(log)
    if not entries:
        log.unlink(missing_ok=True)
        return
    snapshot = _read(d / "tables.json") or {}
    names = {}
    for e in entries:
        names.setdefault(e["table"], sorted(e["key"]))
    tables = {}
    for table, items in snapshot.items():
        keys = names.get(table)
        tables[table] = ({_identity({k: item[k] for k in keys}): item for item in items} if keys
                         else dict(enumerate(items)))
    for e in entries:
        items = tables.setdefault(e["table"], {})
        if e["item"] is None:
            items.pop(_identity(e["key"]), None)
        else:
            items[_identity(e["key"])] = e["item"]
    _write(d / "tables.json", {table: list(items.values()) for table, items in tables.items()})
    log.unlink(missing_ok=True)


def fold_outbox(d: Path) -> None:
    log = d / "outbox.log"
    if log.exists():
        _write(d / "outbox.json", saved_outbox(d))
        log.unlink(missing_ok=True)


def _post(url: str):
    import urllib.request
    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=30) as resp:
        return json.loads(resp.read())


def forget_changes(moto_url: str) -> None:
    """The writes of the restore are already in the snapshot: not logged again."""
    _post(f"{moto_url}/_local/changes")


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
    """What was sent, newest first: the snapshot, and the newer messages logged after it."""
    saved = _read(d / "outbox.json") or {"email": [], "sms": []}
    logged = _read_log(d / "outbox.log")
    out = {}
    for kind in ("email", "sms"):
        messages, seen = [], set()
        for m in [e["message"] for e in reversed(logged) if e.get("kind") == kind] + saved.get(kind, []):
            if m["id"] not in seen:           # once each, even if an append was retried
                seen.add(m["id"])
                messages.append(m)
        out[kind] = messages
    return out


class Saver:
    """Saves every SAVE_INTERVAL seconds on a thread, and once more on stop(): the items
    written and the messages sent since the last save, appended to the logs; the
    attachments when their listing changed."""

    # a tables.log larger than this and than its snapshot is folded into the snapshot
    FOLD_AT_BYTES = 32 * 1024 * 1024

    def __init__(self, d: Path, tables: list[str], bucket: str | None, moto_url: str):
        self.d, self.tables, self.bucket, self.moto_url = d, set(tables), bucket, moto_url
        self.pending: dict[str, list] = {"tables.log": [], "outbox.log": []}
        self.objects: dict[str, str] | None = None      # key -> ETag, as last written
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="state-saver", daemon=True)

    def start(self) -> "Saver":
        self.thread.start()
        return self

    def save_now(self) -> None:
        with self.lock:
            # drained entries stay pending until written, so a failed append is retried
            self.pending["tables.log"] += [
                {"table": c["table"], "key": {k: _saved(v) for k, v in c["key"].items()},
                 "item": None if c["item"] is None else {k: _saved(v) for k, v in c["item"].items()}}
                for c in _post(f"{self.moto_url}/_local/changes") if c["table"] in self.tables]
            sent = _post(f"{self.moto_url}/_local/sent")
            self.pending["outbox.log"] += [{"kind": kind, "message": m} for kind in ("email", "sms")
                                           for m in sent[kind]]
            for name, entries in self.pending.items():
                _append(self.d / name, entries)
                self.pending[name] = []
            self._save_objects()
            log, snapshot = self.d / "tables.log", self.d / "tables.json"
            if log.exists() and log.stat().st_size > max(self.FOLD_AT_BYTES,
                                                          snapshot.stat().st_size if snapshot.exists() else 0):
                fold_tables(self.d)

    def _save_objects(self) -> None:
        if not self.bucket:
            return
        import boto3
        s3 = boto3.client("s3")
        listing = {o["Key"]: o["ETag"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
                   for o in page.get("Contents", [])}
        if listing == self.objects:
            return
        known = self.objects or {}       # none yet: everything is fetched once after a start
        written = {o["key"]: o for o in _read(self.d / "objects.json") or []} if known else {}
        objects = []
        for key, etag in listing.items():
            if known.get(key) == etag and key in written:
                objects.append(written[key])
                continue
            got = s3.get_object(Bucket=self.bucket, Key=key)
            objects.append({"key": key, "content_type": got.get("ContentType", ""),
                            "body": base64.b64encode(got["Body"].read()).decode()})
        _write(self.d / "objects.json", objects)
        self.objects = listing

    def _run(self) -> None:
        """Every SAVE_INTERVAL seconds, or five times as long as the last save took if that
        is longer, so that the saver never keeps moto busy instead of the requests."""
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


def remember_ports(directory: Path, ports: dict) -> None:
    """The running stack's ports, for the commands that attach to it (`python -m devstack
    sweep`, `redrive`, `kvkk`): they reach the stack however it was started."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "stack.json").write_text(json.dumps(ports), "utf-8")


def forget_ports(directory: Path) -> None:
    (directory / "stack.json").unlink(missing_ok=True)


def running_ports(directory: Path) -> dict:
    try:
        return json.loads((directory / "stack.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
