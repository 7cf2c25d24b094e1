"""Configuration, read from the environment when first needed.

The names of tables and queues come from the infrastructure template: CloudFormation
puts them into the functions' environment (infra/template.json, Globals), and the local
stack and the tests resolve the same template and set the same variables.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    stage: str
    main_table: str
    audit_table: str
    routing_queue_url: str
    notification_queue_url: str
    public_base_url: str
    api_base_url: str

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        stage=env.get("STAGE", "local"),
        main_table=env.get("MAIN_TABLE", "acikkapi-local-main"),
        audit_table=env.get("AUDIT_TABLE", "acikkapi-local-audit"),
        routing_queue_url=env.get("ROUTING_QUEUE_URL", ""),
        notification_queue_url=env.get("NOTIFICATION_QUEUE_URL", ""),
        public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8080").rstrip("/"),
        api_base_url=env.get("API_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
    )


def reset() -> None:
    """Forget cached settings and keys (tests that change the environment)."""
    settings.cache_clear()
    from . import security
    security.keyring.cache_clear()
    security.signing_keys.cache_clear()
    from . import auth
    auth.reset()
