"""The `SubjectRequests` port on DynamoDB: KVKK data-subject requests, the national id
sealed; listed per district and status, and found by the sweep index on their
reminder day."""
from __future__ import annotations

from datetime import date, datetime, timezone

from pynamodb.exceptions import PutError

from ...domain import sweeps
from ...domain.subject_requests import SubjectRequest, format_id
from ...services.ports import StaleCase
from . import itemkeys as K
from .mapping import _dt, _iso, plain
from .base import code, due_keys, full
from .models import SubjectRequestItem


class DynamoSubjectRequests:
    def __init__(self, keys):
        self.keys = keys

    def add(self, request: SubjectRequest) -> None:
        item = subject_request_to_item(request, self.keys)
        item.save(condition=SubjectRequestItem.pk.does_not_exist())
        request.version = item.version

    def get(self, request_id: str) -> SubjectRequest | None:
        try:
            return subject_request_from_item(
                SubjectRequestItem.get(*K.subject_request_key(request_id), consistent_read=True), self.keys)
        except SubjectRequestItem.DoesNotExist:
            return None

    def save(self, request: SubjectRequest) -> None:
        """Version-checked: StaleCase when someone else changed it meanwhile."""
        item = subject_request_to_item(request, self.keys)
        try:
            item.save()
        except PutError as exc:
            if code(exc) == "ConditionalCheckFailedException":
                raise StaleCase() from None
            raise
        request.version = item.version

    def by_status(self, district: str, status: str, limit: int = 100) -> list[SubjectRequest]:
        keys = [(i.pk, i.sk) for i in SubjectRequestItem.by_district_status.query(
            K.subject_request_status_pk(district, status), limit=limit)]
        items = full(SubjectRequestItem, keys) if keys else []
        return sorted((subject_request_from_item(i, self.keys) for i in items), key=lambda r: (r.due_on, r.id))

    def due(self, now: datetime) -> list[SubjectRequest]:
        keys = [(i.pk, i.sk) for i in due_keys(SubjectRequestItem, sweeps.SUBJECT_REQUEST_KIND, now)]
        items = full(SubjectRequestItem, keys) if keys else []
        return [subject_request_from_item(i, self.keys) for i in items]


def subject_request_to_item(r: SubjectRequest, keys) -> SubjectRequestItem:
    item = SubjectRequestItem(*K.subject_request_key(r.id), district=r.district,
                              national_id_enc=keys.seal(r.national_id, f"dsr:{r.id}"),
                              nid_hash=keys.national_id_hash(r.national_id), kind=r.kind, channel=r.channel,
                              received_on=r.received_on.isoformat(), registered_by=r.registered_by,
                              registered_at=r.registered_at.isoformat(), status=r.status, answer=r.answer,
                              closed_at=_iso(r.closed_at), closed_by=r.closed_by, warned=r.warned, log=list(r.log),
                              gsi2pk=K.subject_request_status_pk(r.district, r.status), gsi2sk=f"{r.due_on.isoformat()}#{r.id}")
    if r.status == "open" and not r.warned:
        item.sweep_pk = K.sweep_pk(sweeps.SUBJECT_REQUEST_KIND, sweeps.shard_of(r.id))
        item.sweep_sk = sweeps.sweep_key(datetime(r.warn_on.year, r.warn_on.month, r.warn_on.day, 5,
                                                 tzinfo=timezone.utc), format_id(r.id))
    if r.version is not None:
        item.version = r.version
    return item


def subject_request_from_item(item: SubjectRequestItem, keys) -> SubjectRequest:
    rid = item.pk.split("#", 1)[1]
    return SubjectRequest(id=rid, district=item.district, national_id=keys.unseal(item.national_id_enc, f"dsr:{rid}"),
                          kind=item.kind, channel=item.channel, received_on=date.fromisoformat(item.received_on),
                          registered_by=item.registered_by, registered_at=datetime.fromisoformat(item.registered_at),
                          status=item.status, answer=item.answer, closed_at=_dt(item.closed_at),
                          closed_by=item.closed_by, warned=bool(item.warned), log=[plain(x) for x in item.log or []],
                          version=item.version)
