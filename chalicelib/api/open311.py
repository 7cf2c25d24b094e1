"""Open311 GeoReport v2 at /open311/v2/: every resource in .xml and .json.

API Gateway path parameters are whole path segments, so `services.json` reaches the
greedy `{proxy+}` route (which also takes a doubled slash and every unknown path, so that
they answer 404 in the spec's shape rather than API Gateway's own 403) and the format is
split off here. Errors are the spec's: a list of
{code, description} (or <errors><error>…), the description in Turkish naming the field.
XML is built with the standard library's ElementTree, never by string concatenation.
"""
from __future__ import annotations

import functools
import os
import re
from urllib.parse import parse_qsl

from chalice import Blueprint, Response

from ..bootstrap import ports
from ..domain.errors import AppError, ValidationFailed
from .http import MAX_BODY_BYTES, client_ip, route

bp = Blueprint(__name__)

BASE = "/open311/v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# list element -> the tag of each of its children in XML (the spec's shapes)
CHILD_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
              "notes": "note"}
# resource -> (XML root, XML item) for the resources that answer a list
LIST_TAGS = {"services": ("services", "service"), "requests": ("service_requests", "request"),
             "tokens": ("service_requests", "request"),
             "servicerequestupdates": ("service_request_updates", "request_update")}
DOCUMENT = {200: ("Open311 belgesi (JSON dizi ya da XML)", None), 400: ("Hatalı istek", None),
            403: ("api_key yok ya da geçersiz", None), 404: ("Bulunamadı", None), 429: ("Çok fazla çağrı", None)}


class Open311Error(Exception):
    def __init__(self, status: int, errors: list[dict], headers: dict | None = None):
        super().__init__(status)
        self.status, self.errors, self.headers = status, errors, headers or {}


def _split(segment: str, resources: tuple[str, ...] | None = None) -> tuple[str, str]:
    name, dot, fmt = segment.rpartition(".")
    if not dot or fmt not in CONTENT_TYPES:
        raise Open311Error(400, [{"code": 400, "description": "Biçim: adres .json ya da .xml ile bitmelidir "
                                  "(örnek: services.json).", "error_code": "unknown_format", "field": "format"}])
    if resources is not None and name not in resources:
        raise Open311Error(404, [{"code": 404, "description": f"'{name[:40]}' adlı bir Open311 kaynağı yok.",
                                  "error_code": "unknown_resource", "field": "resource"}])
    return name, fmt


def _fmt_of(segment: str) -> str:
    fmt = segment.rpartition(".")[2]
    return fmt if fmt in CONTENT_TYPES else "json"


# What XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE/U+FFFF): removed
# from everything written, since a field name a client sent (`\x01\x00`) is echoed in
# an error, and one such character makes the whole document unreadable to any parser.
@functools.lru_cache(maxsize=1)
def _not_xml() -> re.Pattern:
    """What XML 1.0 cannot hold. Compiled on first use: the class spans the whole of Unicode
    and takes about 7 ms to compile, which every cold start paid at import, Open311 or not."""
    return re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else _not_xml().sub("", str(value))


def _element(parent, tag: str, value) -> None:
    import xml.etree.ElementTree as ET
    child = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for k, v in value.items():
            _element(child, k, v)
    elif isinstance(value, list):
        for v in value:
            _element(child, CHILD_TAGS.get(tag, "item"), v)
    else:
        child.text = _text(value)


def to_xml(root_tag: str, body, item_tag: str | None = None) -> bytes:
    import xml.etree.ElementTree as ET     # here, not at import: every function imports the app
    root = ET.Element(root_tag)
    if isinstance(body, list):
        for item in body:
            _element(root, item_tag or "item", item)
    else:
        for k, v in body.items():
            _element(root, k, v)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render(fmt: str, body, *, root: str, item: str | None = None, status: int = 200,
           headers: dict | None = None) -> Response:
    import json
    payload = to_xml(root, body, item).decode("utf-8") if fmt == "xml" else json.dumps(body, ensure_ascii=False)
    return Response(body=payload, status_code=status,
                    headers={"Content-Type": CONTENT_TYPES[fmt], "Cache-Control": "no-store", **(headers or {})})


def _errors_of(err: AppError) -> list[dict]:
    if isinstance(err, ValidationFailed):
        from ..domain.open311 import open311_errors
        return open311_errors(err.errors)
    named = err.message if not err.field or err.message.startswith(err.field + ":") else f"{err.field}: {err.message}"
    return [{"code": err.status, "description": named, "error_code": err.code,
             **({"field": err.field} if err.field else {})}]


def serve(fmt_source: str, action) -> Response:
    """Runs `action()` and renders its answer; any refusal in the spec's error shape.
    Bad input is 400 (the spec's code), never our JSON API's 413/415/422; a 409 (busy, a
    reused Idempotency-Key) stays 409, so that a client knows a retry may succeed."""
    fmt = _fmt_of(fmt_source)
    try:
        return action()
    except Open311Error as err:
        return render(fmt, err.errors, root="errors", item="error", status=err.status, headers=err.headers)
    except AppError as err:
        status = 400 if err.status in (413, 415, 422) else err.status
        errors = _errors_of(err)
        for e in errors:
            e["code"] = status
        return render(fmt, errors, root="errors", item="error", status=status, headers=err.headers)


def _api_key(form: dict | None = None) -> str | None:
    request = bp.current_request
    params = dict(request.query_params or {})
    return (form or {}).get("api_key") or params.get("api_key") or request.headers.get("x-api-key")


def _params() -> dict:
    return dict(bp.current_request.query_params or {})


def _base_url() -> str:
    configured = os.environ.get("OPEN311_BASE_URL")
    if configured:
        return configured.rstrip("/") + "/"
    request = bp.current_request
    host = request.headers.get("host") or "127.0.0.1:8000"
    proto = request.headers.get("x-forwarded-proto") or "http"
    stage = (request.context or {}).get("stage")
    prefix = f"/{stage}" if stage and host.endswith("amazonaws.com") else ""
    return f"{proto}://{host}{prefix}{BASE}/"


def _discovery(fmt: str) -> Response:
    from ..domain import open311 as O
    from ..config import settings
    body = {"changeset": O.CHANGESET,
            "contact": os.environ.get("OPEN311_CONTACT", "Açık Kapı Bürosu, acikkapi@acikkapi.example"),
            "key_service": "Ortak anahtarı (api_key) için il ya da ilçe Açık Kapı yöneticisine başvurunuz; "
                           "anahtarlar yönetim konsolunda verilir.",
            "endpoints": [{"specification": O.SPECIFICATION, "url": _base_url(), "changeset": O.CHANGESET,
                           "type": "test" if settings().is_local else "production",
                           "formats": ["text/xml", "application/json"]}]}
    return render(fmt, body, root="discovery", headers={"Cache-Control": "public, max-age=3600"})


def _resource_get(resource: str) -> Response:
    def action():
        from ..domain import open311 as O
        from ..services import open311 as svc
        name, fmt = _split(resource, ("discovery", "services", "requests", "servicerequestupdates"))
        params = _params()
        if name == "discovery":
            return _discovery(fmt)
        if name == "services":
            O.check_jurisdiction(params.get("jurisdiction_id"))
            return render(fmt, O.services(), root="services", item="service",
                          headers={"Cache-Control": "public, max-age=3600"})
        if name == "requests":
            body = svc.list_requests(ports(), params, _api_key(), client=client_ip(bp.current_request))
        else:
            body = svc.updates(ports(), params, _api_key())
        root, item = LIST_TAGS[name]
        return render(fmt, body, root=root, item=item)
    return serve(resource, action)


def _segments(proxy: str) -> list[str]:
    """The path under the base, a doubled slash read as one (`//services.xml` is
    `services.xml`): clients that append `/services.xml` to the published base, which
    ends in `/`, reach the same resource as those that append `services.xml`."""
    return [part for part in proxy.split("/") if part]


def _not_found(segments: list[str]) -> Response:
    shown = "/".join(segments)[:60]

    def refuse():
        raise Open311Error(404, [{
            "code": 404, "description": f"'{shown}' adlı bir Open311 kaynağı yok. Kaynaklar: discovery, services, "
            "services/{kod}, requests, requests/{numara}, tokens/{belirteç}, servicerequestupdates (.json ya da "
            ".xml).", "error_code": "unknown_resource", "field": "resource"}])
    return serve(segments[-1] if segments else "", refuse)


@route(bp, BASE, "GET", summary="Open311: uç noktanın kökü; discovery belgesini (JSON) döndürür", tag="open311",
       responses=DOCUMENT)
def open311_root():
    return _discovery("json")


@route(bp, BASE + "/{proxy+}", "GET", summary="Open311: discovery, services, requests, servicerequestupdates "
       "(.json ya da .xml); çift eğik çizgi tek sayılır, bilinmeyen yol 404", tag="open311", responses=DOCUMENT)
def open311_get(proxy):
    """Every GET under the base that no concrete route takes: a resource (`services.json`),
    a doubled slash before any resource (`//services/ACK.xml`), or an unknown path, which
    is 404 in the specification's error shape and in the format its extension names."""
    segments = _segments(proxy)
    if not segments:
        return _discovery("json")
    if len(segments) == 1:
        return _resource_get(segments[0])
    if len(segments) == 2:
        kind, value = segments
        if kind == "services":
            return open311_service_definition(value)
        if kind == "requests":
            return open311_request(value)
        if kind == "tokens":
            return open311_token(value)
    return _not_found(segments)


@route(bp, BASE + "/{proxy+}", "POST", summary="Open311: başvuru yap (requests.json ya da requests.xml, "
       "form-urlencoded, api_key ile)", tag="open311", responses={201: ("Alındı", None), **DOCUMENT})
def open311_post(proxy):
    segments = _segments(proxy)
    if len(segments) != 1:
        return _not_found(segments)
    resource = segments[0]

    def action():
        from ..services import open311 as svc
        _split(resource, ("requests",))
        request = bp.current_request
        raw = request.raw_body or b""
        if len(raw) > MAX_BODY_BYTES:
            raise AppError("body_too_large", "İstek gövdesi 64 KiB sınırını aşıyor.", field="body")
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise AppError("unsupported_media_type", "İstek gövdesi application/x-www-form-urlencoded türünde "
                           "olmalıdır.", field="Content-Type")
        try:
            pairs = parse_qsl(raw.decode("utf-8") if isinstance(raw, bytes) else raw, keep_blank_values=True, max_num_fields=200)
        except (UnicodeDecodeError, ValueError):
            raise AppError("invalid_form", "İstek gövdesi geçerli bir form (UTF-8) değil.", field="body") from None
        form = {k: v for k, v in pairs if k == "api_key"}
        body = svc.submit(ports(), pairs, _api_key(form), idempotency_key_header=request.headers.get("idempotency-key"),
                          query=_params())
        root, item = LIST_TAGS["requests"]
        return render(_fmt_of(resource), body, root=root, item=item, status=201)
    return serve(resource, action)


@route(bp, BASE + "/services/{service}", "GET", summary="Open311: hizmet tanımı (nitelikler)", tag="open311",
       responses=DOCUMENT)
def open311_service_definition(service):
    def action():
        from ..domain import open311 as O
        code, fmt = _split(service)
        O.check_jurisdiction(_params().get("jurisdiction_id"))
        return render(fmt, O.service_definition(code), root="service_definition",
                      headers={"Cache-Control": "public, max-age=3600"})
    return serve(service, action)


@route(bp, BASE + "/requests/{request_id}", "GET", summary="Open311: bir başvurunun durumu (tek öğeli dizi)",
       tag="open311", responses=DOCUMENT)
def open311_request(request_id):
    def action():
        from ..services import open311 as svc
        raw_id, fmt = _split(request_id)
        body = svc.get_request(ports(), raw_id, _params(), _api_key(), client=client_ip(bp.current_request))
        return render(fmt, body, root="service_requests", item="request")
    return serve(request_id, action)


@route(bp, BASE + "/tokens/{token}", "GET", summary="Open311: belirteci başvuru numarasına çevir", tag="open311",
       responses=DOCUMENT)
def open311_token(token):
    def action():
        from ..services import open311 as svc
        raw, fmt = _split(token)
        return render(fmt, svc.resolve_token(ports(), raw), root="service_requests", item="request")
    return serve(token, action)
