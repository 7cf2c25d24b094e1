"""The `PhoneCodes` port on DynamoDB: a phone-verification code as its keyed hash, with
its tries counted in the same conditional write that reads it."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from . import itemkeys as K
from .base import code
from .models import OtpItem


class DynamoPhoneCodes:
    def put(self, subject: str, code_hash: str, valid_until: datetime) -> None:
        """A new code replaces any earlier one (its tries start again at 0)."""
        OtpItem(*K.otp_key(subject), code_hash=code_hash, tries=0, valid_until=int(valid_until.timestamp()),
                expires_at=valid_until + timedelta(minutes=5)).save()

    def try_code(self, subject: str, now: datetime, max_tries: int) -> str | None:
        """Counts one try in one conditional write (the code exists, is still valid and has
        tries left) and returns the code's hash; None when no try is left to count."""
        try:
            item = OtpItem(*K.otp_key(subject))
            item.update(actions=[OtpItem.tries.add(1)],
                        condition=OtpItem.pk.exists() & (OtpItem.tries < max_tries)
                        & (OtpItem.valid_until > int(now.timestamp())))
            return item.code_hash
        except UpdateError as exc:
            if code(exc) == "ConditionalCheckFailedException":
                return None
            raise

    def delete(self, subject: str) -> None:
        OtpItem(*K.otp_key(subject)).delete()
