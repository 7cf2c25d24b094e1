"""The archive store of tiered cases (docs/performance.md, "Tiering"): one compressed
object per archived version of a case, `archive/cases/<no>/v<version>.json.z`, in the
attachments bucket. The prefix is private like the rest of the bucket (the downloads
distribution serves uploads/ and files/ only) and encrypted at rest by the bucket's default.

An object holds the case's items exactly as DynamoDB returned them: the personal data in
them stays sealed (adapters/dynamodb/mapping.py), and reading one back needs no mapping of
its own. A key names one version and is written once, so a late write of an older version
never replaces a newer one. S3 Standard, not Standard-IA: an archived case is about 2 KB,
and Standard-IA bills every object as 128 KB at least."""
from __future__ import annotations

import base64
import json
import zlib

from .aws import client

PREFIX = "archive/cases/"
# what one object may be when read back: a case and its assignments, compressed, are a few
# KB; the bound keeps a damaged or foreign object from being decompressed without limit
MAX_OBJECT_BYTES = 4 * 1024 * 1024
MAX_ITEMS_BYTES = 32 * 1024 * 1024


class ArchiveDamaged(RuntimeError):
    """An archived object that is not what this store wrote (too large, not its format)."""


def _plain(value):
    """DynamoDB JSON with its binary values as base64 text (and back: `_binary`)."""
    (kind, v), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(v).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") for b in v]}
    if kind == "M":
        return {"M": {k: _plain(x) for k, x in v.items()}}
    if kind == "L":
        return {"L": [_plain(x) for x in v]}
    return value


def _binary(value):
    (kind, v), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(v)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in v]}
    if kind == "M":
        return {"M": {k: _binary(x) for k, x in v.items()}}
    if kind == "L":
        return {"L": [_binary(x) for x in v]}
    return value


def encode(items: list[dict]) -> bytes:
    text = json.dumps({"format": 1, "items": [{k: _plain(v) for k, v in i.items()} for i in items]},
                      ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 9)


def decode(body: bytes) -> list[dict]:
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(body, MAX_ITEMS_BYTES)
        if inflater.unconsumed_tail:
            raise ArchiveDamaged("archived object too large")
        data = json.loads(text.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != 1:
            raise ArchiveDamaged("unknown archive format")
        return [{k: _binary(v) for k, v in i.items()} for i in data["items"]]
    except (zlib.error, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ArchiveDamaged("archived object unreadable") from exc


class S3CaseArchive:
    def __init__(self, bucket: str):
        self.bucket = bucket

    @staticmethod
    def key(application_no: str, version: int) -> str:
        return f"{PREFIX}{application_no}/v{version}.json.z"

    def put(self, key: str, items: list[dict]) -> None:
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=encode(items), ContentType="application/octet-stream")

    def get(self, key: str) -> list[dict] | None:
        """The items archived under `key`; None when there is no such object."""
        s3 = client("s3")
        try:
            obj = s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{MAX_OBJECT_BYTES}")
        except s3.exceptions.NoSuchKey:
            return None
        body = obj["Body"].read()
        if len(body) > MAX_OBJECT_BYTES:
            raise ArchiveDamaged("archived object too large")
        return decode(body)

    def delete(self, key: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=key)

    def delete_all(self, application_no: str) -> int:
        """Every archived copy of the case (a destruction leaves none behind)."""
        s3, deleted = client("s3"), 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                 Prefix=f"{PREFIX}{application_no}/"):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                deleted += len(keys)
        return deleted
