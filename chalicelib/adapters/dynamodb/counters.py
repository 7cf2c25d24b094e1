"""The `Counters` port on DynamoDB: throttle counters and daily caps, each check and its
count one conditional write."""
from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from ...domain.throttle import Counter
from . import itemkeys as K
from .base import code
from .models import CounterItem


class DynamoCounters:
    def take(self, counter: Counter, limit: int, expires_at: datetime) -> bool:
        """Check and count in one conditional write: the counter goes up by one if it is
        below `limit`; otherwise nothing is counted and the answer is False."""
        try:
            CounterItem(*K.counter_key(counter)).update(
                actions=[CounterItem.count.add(1), CounterItem.expires_at.set(expires_at)],
                condition=CounterItem.count.does_not_exist() | (CounterItem.count < limit))
            return True
        except UpdateError as exc:
            if code(exc) == "ConditionalCheckFailedException":
                return False
            raise

    def give_back(self, counter: Counter) -> None:
        try:
            CounterItem(*K.counter_key(counter)).update(actions=[CounterItem.count.add(-1)],
                                                        condition=CounterItem.count > 0)
        except UpdateError as exc:
            if code(exc) != "ConditionalCheckFailedException":
                raise


def claim_member(key: tuple[str, str], member: str, limit: int, expires_at: datetime) -> bool:
    """One conditional write: `member` joins the set of the counter item at `key` if fewer
    than `limit` have joined and it has not; True also when it had (counted once)."""
    try:
        CounterItem(*key).update(
            actions=[CounterItem.count.add(1), CounterItem.members.add({member}), CounterItem.expires_at.set(expires_at)],
            condition=(CounterItem.count.does_not_exist() | (CounterItem.count < limit))
            & ~CounterItem.members.contains(member))
        return True
    except UpdateError as exc:
        if code(exc) != "ConditionalCheckFailedException":
            raise
    try:
        return member in (CounterItem.get(*key, consistent_read=True).members or set())
    except CounterItem.DoesNotExist:
        return False
