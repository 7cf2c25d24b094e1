"""Local-stage developer endpoints. `GET /v1/dev/outbox` lists the e-mails and SMS the
local stack "sent", newest first, read from moto; on any other stage it does not exist."""
from __future__ import annotations

import json
import os

from chalice import Blueprint

from ..config import settings
from ..domain.errors import NotFound
from .http import json_response, route

bp = Blueprint(__name__)


@route(bp, "/v1/dev/outbox", "GET", summary="Yerel ortamda gönderilen e-posta ve SMS'ler (local stage only)",
       tag="dev", responses={200: ("Giden kutusu", None), 404: ("Yerel ortam dışında yok", None)})
def outbox():
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if not settings().is_local or not endpoint.startswith("http://127.0.0.1"):
        raise NotFound("not_found", "Bu adres yalnızca yerel geliştirme ortamında vardır.")
    import urllib.request
    with urllib.request.urlopen(f"{endpoint}/_local/outbox", timeout=5) as resp:
        return json_response(json.loads(resp.read()), headers={"Cache-Control": "no-store"})
