"""HTTP plumbing shared by the blueprints: body parsing, error bodies, the route
registry that the OpenAPI document is generated from."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union

from chalice import CORSConfig, Response

from ..domain.errors import AppError

MAX_BODY_BYTES = 64 * 1024
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

CORS = CORSConfig(allow_origin="*",
                  allow_headers=["Content-Type", "Idempotency-Key", "X-Access-Code", "Authorization",
                                 "If-Match", "X-Link-Token", "X-Survey-Token", "X-Api-Key"],
                  expose_headers=["ETag", "Retry-After", "Idempotent-Replayed", "Content-Disposition", "X-Export-Rows"],
                  max_age=600)


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    merged: dict[str, str | list[str]] = dict(JSON_HEADERS)
    merged.update(headers or {})
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status, headers=merged)


def error_response(err: AppError, lang: str = "tr") -> Response:
    """The error's JSON body and status; its messages in `lang` (domain/i18n) when the
    request asked for English or Arabic, with the same codes and fields."""
    if lang == "tr":
        return json_response(err.body(), err.status, err.headers)
    from ..domain.i18n import localise
    body = localise(err.body(), lang, getattr(err, "sources", None))
    return json_response(body, err.status, {**err.headers, "Content-Language": lang, "Vary": "Accept-Language"})


def in_language(body: dict, request) -> dict:
    """A successful answer's `message` in the request's language (domain/i18n.text)."""
    lang = request_language(request)
    if lang == "tr" or not isinstance(body.get("message"), str):
        return body
    from ..domain.i18n import text
    return {**body, "message": text(lang, body["message"])}


def request_language(request) -> str:
    """tr, en or ar, from the request's Accept-Language (domain/i18n.negotiate)."""
    header = request.headers.get("accept-language") if request is not None else None
    if not header:
        return "tr"
    from ..domain.i18n import negotiate
    return negotiate(header)


def internal_error() -> Response:
    """500, without any detail of the failure (it may echo input)."""
    return json_response({"error": {"code": "internal_error",
                                     "message": "Beklenmeyen bir hata oluştu; lütfen daha sonra tekrar deneyiniz."}}, 500)


def _reject_constant(name: str):
    raise ValueError(name)


def read_json(request) -> Any:
    """The request body as JSON, or a 4xx: 413 over 64 KiB, 415 for another content
    type, 400 for malformed JSON or text that is not UTF-8."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise AppError("body_too_large", "İstek gövdesi 64 KiB sınırını aşıyor.", status=413)
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise AppError("unsupported_media_type", "İstek gövdesi application/json türünde olmalıdır.",
                       status=415)
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except _DuplicateKey as dup:
        raise AppError("duplicate_key", "İstek gövdesinde aynı alan birden fazla kez yazılmış.",
                       field=dup.key) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AppError("invalid_json", "İstek gövdesi geçerli bir JSON değil.") from None


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key[:100]


def _unique_keys(pairs: list) -> dict:
    """A key given twice is refused: which of the two a client meant is not ours to guess
    (`"kvkk_acknowledged": false, "kvkk_acknowledged": true`)."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def client_ip(request) -> str:
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"


def handle_errors(view: Callable, language: Callable[[], str] = lambda: "tr") -> Callable:
    """AppError -> its JSON body and status, in the request's language. Anything else ->
    a logged 500 in the same format, without the exception's message (it may echo input)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except AppError as err:
            return error_response(err, language())
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            from ..bootstrap import unavailable
            from ..services.ports import TransientConflict
            if isinstance(exc, TransientConflict):   # the store retried; nothing was written
                return error_response(AppError("busy", "Başvuru şu anda başka bir işlemle aynı anda değişiyor; "
                                               "lütfen tekrar deneyiniz.", status=409, headers={"Retry-After": "1"}),
                                      language())
            if unavailable(exc):
                from ..logs import exception_summary, logger
                logger().warning("backend unavailable", extra=exception_summary(exc))
                return error_response(AppError("unavailable", "Hizmet şu anda yanıt veremiyor; lütfen birkaç saniye "
                                               "sonra tekrar deneyiniz.", status=503, headers={"Retry-After": "5"}),
                                      language())
            from ..logs import exception_summary, logger
            logger().error("unhandled error", extra=exception_summary(exc))
            return internal_error()
    return wrapper


# A request or response model: the class, or its name (resolved by `model_of`, so that
# importing the app does not import pydantic), or None for a body without one.
ModelRef = Union[type, str, None]


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    request: ModelRef = None
    responses: Mapping[int, tuple[str, ModelRef]] = field(default_factory=dict)
    headers: list[dict] = field(default_factory=list)
    security: bool = False
    actions: bool = False     # one route for every declared office action: documented one by one


OPERATIONS: list[Operation] = []


def route(bp, path: str, method: str, *, summary: str, tag: str, request: ModelRef = None,
          responses: Mapping[int, tuple[str, ModelRef]] | None = None, headers: list[dict] | None = None,
          security: bool = False, actions: bool = False, **chalice_kwargs):
    """Registers a Chalice route and records it for the OpenAPI document. Every response
    is checked against the model the operation declares for its status."""
    op = Operation(method, path, summary, tag, request, responses or {}, headers or [], security, actions)
    OPERATIONS.append(op)

    def decorate(view):
        kwargs = {"methods": [method], "cors": CORS}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["content_types"] = ["*/*"]  # checked by read_json, with our own error body
        kwargs.update(chalice_kwargs)

        @functools.wraps(view)
        def checked(*args, **kw):
            return check_response(op, handle_errors(view, lambda: request_language(bp.current_request))(*args, **kw))
        return bp.route(path, **kwargs)(checked)
    return decorate


def name_greedy_parameters(app) -> None:
    """A route ending in API Gateway's greedy `{name+}` receives the rest of the path as
    the parameter `name` (that is how API Gateway passes it). Chalice's route parser does
    not see a `{name+}` segment as a parameter at all, so the view would never get it and
    the generated API definition would not declare it. Called once the blueprints are
    registered."""
    for path, methods in app.routes.items():
        last = path.rsplit("/", 1)[-1]
        if last.startswith("{") and last.endswith("+}"):
            for entry in methods.values():
                entry.view_args = [*entry.view_args, last[1:-2]]


def model_of(ref):
    """Routes name their models as strings, so that importing the app does not import
    pydantic: request models from domain/schemas, response models from responses."""
    if not isinstance(ref, str):
        return ref
    from . import responses
    if hasattr(responses, ref):
        return getattr(responses, ref)
    from ..domain import schemas
    return getattr(schemas, ref)


def check_response(op: Operation, response: Response) -> Response:
    """The body against the declared model (200/201 and errors alike). A mismatch is
    logged with the model and the places at fault (never the body) and answered 500."""
    declared = op.responses.get(response.status_code)
    if not declared or declared[1] is None or not response.body:
        return response
    if not str((response.headers or {}).get("Content-Type", "application/json")).startswith("application/json"):
        return response            # another format of the same resource (CSV): the model is for JSON
    from pydantic import ValidationError
    model = model_of(declared[1])
    try:
        model.model_validate_json(response.body)
    except ValidationError as exc:
        from ..logs import logger
        logger().error("response does not match its model",
                       extra={"model": model.__name__, "path": op.path, "status": response.status_code,
                              "places": [".".join(map(str, e["loc"])) + ":" + e["type"] for e in exc.errors()]})
        return internal_error()
    return response
