"""The `PartnerKeys` port on DynamoDB: Open311 partner keys, stored as HMACs only (in the
sort key of one small partition), each with its one-minute rate window."""
from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from ...domain.partners import Partner
from . import itemkeys as K
from .base import code
from .mapping import _dt, _iso
from .models import MAIN_TABLE, PartnerItem, dynamodb_client


class DynamoPartnerKeys:
    def add(self, partner: Partner) -> None:
        partner_to_item(partner).save(condition=PartnerItem.sk.does_not_exist())

    def get(self, key_hash: str) -> Partner | None:
        try:
            return partner_from_raw(PartnerItem.get(*K.partner_key(key_hash), consistent_read=True))
        except PartnerItem.DoesNotExist:
            return None

    def all(self) -> list[Partner]:
        """Every partner key (a few dozen at most: one partition, one Query)."""
        return [partner_from_raw(i) for i in PartnerItem.query(K.PARTNERS_PK, PartnerItem.sk.startswith("KEY#"))]

    def revoke(self, key_hash: str, at: datetime) -> bool:
        try:
            PartnerItem(*K.partner_key(key_hash)).update(
                actions=[PartnerItem.revoked_at.set(at.isoformat())],
                condition=PartnerItem.sk.exists() & PartnerItem.revoked_at.does_not_exist())
            return True
        except UpdateError as exc:
            if code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    def use(self, key_hash: str, window: int, now: datetime) -> tuple[str, Partner | None]:
        """Checks a key and counts the call in one conditional UpdateItem on its record:
        it exists, is not revoked and is under its rate limit in this minute's window.
        Returns ("ok" | "unknown" | "revoked" | "limited", partner or None). A new minute
        takes a second write (the window is reset), a refusal one read."""
        pk, sk = K.partner_key(key_hash)
        common = {"TableName": MAIN_TABLE, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                  "ReturnValues": "ALL_NEW"}
        values = {":one": {"N": "1"}, ":w": {"N": str(window)}, ":at": {"S": now.isoformat()}}
        attempts = [
            ("SET win_uses = win_uses + :one, last_used_at = :at ADD uses :one",
             "attribute_exists(sk) AND attribute_not_exists(revoked_at) AND win = :w AND win_uses < rate_limit"),
            ("SET win = :w, win_uses = :one, last_used_at = :at ADD uses :one",
             "attribute_exists(sk) AND attribute_not_exists(revoked_at) AND (attribute_not_exists(win) OR win < :w)"),
        ]
        for update, condition in attempts:
            try:
                resp = dynamodb_client().update_item(UpdateExpression=update, ConditionExpression=condition,
                                                      ExpressionAttributeValues=values, **common)
                return "ok", partner_from_raw(resp["Attributes"])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
        try:
            partner = partner_from_raw(PartnerItem.get(pk, sk, consistent_read=True))
        except PartnerItem.DoesNotExist:
            return "unknown", None
        return ("revoked" if partner.revoked_at else "limited"), partner


def partner_to_item(p: Partner) -> PartnerItem:
    return PartnerItem(*K.partner_key(p.key_hash), partner_id=p.id, name=p.name, contact=p.contact,
                       districts=list(p.districts), rate_limit=p.rate_limit, created_at=_iso(p.created_at),
                       created_by=p.created_by, revoked_at=_iso(p.revoked_at), uses=p.uses,
                       last_used_at=_iso(p.last_used_at))


def partner_from_raw(raw) -> Partner:
    """A partner from a low-level item (UpdateItem's ALL_NEW) or a pynamodb one."""
    item = PartnerItem.from_raw_data(raw) if isinstance(raw, dict) else raw
    return Partner(id=item.partner_id, name=item.name, contact=item.contact, districts=list(item.districts or []),
                   rate_limit=int(item.rate_limit), created_at=_dt(item.created_at), created_by=item.created_by or "",
                   revoked_at=_dt(item.revoked_at), uses=int(item.uses or 0), last_used_at=_dt(item.last_used_at),
                   key_hash=item.sk.split("#", 1)[1])
