"""The `SubjectRequests` port on DynamoDB: KVKK data-subject requests, the national id
sealed; listed per district and status, and found by the sweep index on their
reminder day."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from ...domain import sweeps
from ...domain.subject_requests import SubjectRequest
from ...services.ports import StaleCase
from . import itemkeys as K
from . import mapping as M
from .base import code, due_keys, full
from .models import SubjectRequestItem


class DynamoSubjectRequests:
    def __init__(self, keys):
        self.keys = keys

    def add(self, request: SubjectRequest) -> None:
        item = M.subject_request_to_item(request, self.keys)
        item.save(condition=SubjectRequestItem.pk.does_not_exist())
        request.version = item.version

    def get(self, request_id: str) -> SubjectRequest | None:
        try:
            return M.subject_request_from_item(
                SubjectRequestItem.get(*K.subject_request_key(request_id), consistent_read=True), self.keys)
        except SubjectRequestItem.DoesNotExist:
            return None

    def save(self, request: SubjectRequest) -> None:
        """Version-checked: StaleCase when someone else changed it meanwhile."""
        item = M.subject_request_to_item(request, self.keys)
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
        return sorted((M.subject_request_from_item(i, self.keys) for i in items), key=lambda r: (r.due_on, r.id))

    def due(self, now: datetime) -> list[SubjectRequest]:
        keys = [(i.pk, i.sk) for i in due_keys(SubjectRequestItem, sweeps.SUBJECT_REQUEST_KIND, now)]
        items = full(SubjectRequestItem, keys) if keys else []
        return [M.subject_request_from_item(i, self.keys) for i in items]
