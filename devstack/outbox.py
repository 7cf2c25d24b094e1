"""What the local stack "sent": SES e-mails and SNS SMS, read from moto's in-process
backends (moto server mode has no HTTP view of SMS). Newest first."""
from __future__ import annotations

import json
import re
import threading
import zlib


def _email(m) -> dict:
    return {"id": m.id, "from": m.source, "to": m.destinations.get("ToAddresses", []),
            "subject": m.subject, "body": m.body, "links": re.findall(r"https?://\S+", m.body or "")}


def _sms(message_id, phone, text) -> dict:
    return {"id": message_id, "to": phone, "body": text, "links": re.findall(r"https?://\S+", text)}


def _sent():
    """Per moto backend: its e-mails and its SMS, each in the order sent (both only grow)."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends
    for account in list(ses_backends.keys()):
        for region in list(ses_backends[account].keys()):
            backend = ses_backends[account][region]
            yield ("email", account, region), backend, list(getattr(backend, "sent_messages", []))
    for account in list(sns_backends.keys()):
        for region in list(sns_backends[account].keys()):
            backend = sns_backends[account][region]
            yield ("sms", account, region), backend, list(backend.sms_messages.items())


def _shaped(kind: str, raw: list) -> list[dict]:
    if kind == "email":
        return [_email(m) for m in raw if hasattr(m, "subject")]     # raw MIME mails have none
    return [_sms(message_id, phone, text) for message_id, (phone, text) in raw]


def collect() -> dict:
    out = {"email": [], "sms": []}
    for (kind, _, _), _, raw in _sent():
        out[kind] += _shaped(kind, raw)
    out["email"].reverse()
    out["sms"].reverse()
    return out


_handed_out: dict[tuple, tuple] = {}      # where -> (its backend, how many of its messages)
_handing = threading.Lock()


class Archive:
    """The messages the saver already has, out of moto's SES and SNS backends: as
    compressed JSON, one chunk per hand-out. moto kept every message it ever sent as its
    own objects (about 2 KiB each, 81 MiB after 10,000 applications' 40,000 messages); the
    outbox view still lists them all."""

    def __init__(self, before: dict | None = None):
        self._chunks: list[bytes] = []        # {"email": [...], "sms": [...]}, oldest first
        self._lock = threading.Lock()
        if before:                            # what was sent before a restart, newest first
            self.add({kind: list(reversed(before.get(kind, []))) for kind in ("email", "sms")})

    def add(self, sent: dict) -> None:
        if any(sent.get(kind) for kind in ("email", "sms")):
            blob = zlib.compress(json.dumps(sent, ensure_ascii=False).encode("utf-8"))
            with self._lock:
                self._chunks.append(blob)

    def view(self) -> dict:
        """Every archived message, newest first."""
        with self._lock:
            chunks = list(self._chunks)
        out = {"email": [], "sms": []}
        for blob in reversed(chunks):
            sent = json.loads(zlib.decompress(blob))
            for kind in out:
                out[kind] += reversed(sent.get(kind, []))
        return out


def drain_sent(archive: Archive | None = None) -> dict:
    """The messages sent since the last call, oldest first, each handed out once: the state
    saver appends them to its log instead of re-reading the whole outbox on each save. A
    backend moto made anew (a reset) is read from its first message. With an `archive`,
    what is handed out moves there and leaves moto's backend: archived first, then
    forgotten, so that the outbox view never misses it (it lists a message in both once)."""
    out = {"email": [], "sms": []}
    with _handing:
        taken = []
        for where, backend, raw in _sent():
            known, start = _handed_out.get(where, (None, 0))
            start = start if known is backend else 0
            out[where[0]] += _shaped(where[0], raw[start:])
            _handed_out[where] = (backend, len(raw) if archive is None else 0)
            taken.append((where[0], backend, raw))
        if archive is not None:
            archive.add(out)
            for kind, backend, raw in taken:   # all of raw is handed out now; later ones stay
                _forget(kind, backend, raw)
    return out


def _forget(kind: str, backend, raw: list) -> None:
    """Drops the first len(raw) messages moto holds (both only grow at the end)."""
    if kind == "email":
        del backend.sent_messages[:len(raw)]
    else:
        for message_id, _ in raw:
            backend.sms_messages.pop(message_id, None)


def merge(live: dict, saved: dict) -> dict:
    """The live outbox followed by what was sent before a restart, each message once. The
    saver writes this merged view to disk, so the saved file already holds every message
    still live: adding it again would repeat them on each save (quadratic growth)."""
    merged = {}
    for kind in ("email", "sms"):
        seen = {m["id"] for m in live.get(kind, [])}
        merged[kind] = live.get(kind, []) + [m for m in saved.get(kind, []) if m["id"] not in seen]
    return merged
