"""Configuration, read from the environment when first needed.

The names of tables and queues come from the infrastructure template: CloudFormation
puts them into the functions' environment (infra/template.json, Globals), and the local
stack and the tests resolve the same template and set the same variables.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


# What every deployed function is given (infra/template.json, Globals). In Lambda, outside
# the local stage, a missing one is an error that names it, never a local default: a
# function without MAIN_TABLE would otherwise look for the local table and fail later,
# naming nothing. The deploy rehearsal (infra/rehearse.py) checks every function for them.
REQUIRED_IN_AWS = ("STAGE", "MAIN_TABLE", "AUDIT_TABLE", "ROUTING_QUEUE_URL", "ROUTING_QUEUE_NAME",
                   "NOTIFICATION_QUEUE_URL", "NOTIFICATION_QUEUE_NAME", "PUBLIC_BASE_URL", "ATTACHMENTS_BUCKET",
                   "MAIL_FROM", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "LINK_SIGNING_SECRET_ARN",
                   "ACIKKAPI_MASTER_SECRET_ARN", "RETENTION_YEARS", "TRANSFER_BASIS")


class MissingSetting(RuntimeError):
    pass


def missing_in_aws(env) -> list[str]:
    """The required variables a deployed function lacks (none on the local stage)."""
    if not env.get("AWS_LAMBDA_FUNCTION_NAME") or env.get("STAGE") == "local":
        return []
    return [name for name in REQUIRED_IN_AWS if name not in env]


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    main_table: str
    audit_table: str
    routing_queue_url: str
    notification_queue_url: str
    public_base_url: str
    attachments_bucket: str
    mail_from: str
    # attachment downloads through CloudFront (nosniff and friends); unset: S3 presigned URLs
    downloads_base_url: str = ""
    downloads_key_id: str = ""
    downloads_signing_secret_id: str = ""
    retention_years: int = 10          # KVKK: a case file's personal data, from its closing
    # KVKK art. 9: the basis of the transfer abroad, <kind>:<detail> (domain/hosting.py);
    # where the data is held follows from `region` and `stage`
    transfer_basis: str = ""

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    def data_location(self):
        """Where the data is held and on what basis it leaves Türkiye (domain/hosting.py)."""
        from .domain.hosting import data_location
        return data_location(self.region, stage=self.stage, transfer_basis=self.transfer_basis)


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    missing = missing_in_aws(env)
    if missing:
        raise MissingSetting("the function's environment lacks " + ", ".join(missing)
                             + " (infra/template.json, Globals, gives them to every function)")
    return Settings(
        stage=env.get("STAGE", "local"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-central-1",
        main_table=env.get("MAIN_TABLE", "acikkapi-local-main"),
        audit_table=env.get("AUDIT_TABLE", "acikkapi-local-audit"),
        routing_queue_url=env.get("ROUTING_QUEUE_URL", ""),
        notification_queue_url=env.get("NOTIFICATION_QUEUE_URL", ""),
        public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8080").rstrip("/"),
        attachments_bucket=env.get("ATTACHMENTS_BUCKET", ""),
        mail_from=env.get("MAIL_FROM", "bildirim@acikkapi.example"),
        downloads_base_url=env.get("DOWNLOADS_BASE_URL", "").rstrip("/"),
        downloads_key_id=env.get("DOWNLOADS_KEY_ID", ""),
        downloads_signing_secret_id=env.get("DOWNLOADS_SIGNING_SECRET_ID", ""),
        retention_years=_positive_int(env.get("RETENTION_YEARS"), 10),
        transfer_basis=env.get("TRANSFER_BASIS", ""),
    )


def _positive_int(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default
