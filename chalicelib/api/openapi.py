"""OpenAPI 3.1, generated from the route registry and the pydantic models."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalice import Blueprint

from .http import OPERATIONS, Operation, json_response, route

bp = Blueprint(__name__)


from .http import model_of as _model


def _operations() -> list[Operation]:
    """The registered routes, with the one route of the office actions documented as one
    operation per declared action (its own request model and summary)."""
    out = []
    for op in OPERATIONS:
        if not op.actions:
            out.append(op)
            continue
        from ..services.office import ACTIONS
        for name, declared in sorted(ACTIONS.items()):
            out.append(replace(op, path=op.path.replace("{action}", name), summary=declared.summary,
                               request=declared.request, actions=False))
    return out


def document() -> dict:
    from pydantic.json_schema import models_json_schema

    operations = _operations()
    models = {_model(m) for op in operations for m in [op.request, *[r[1] for r in op.responses.values()]] if m}
    _, schema = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                   ref_template="#/components/schemas/{model}")
    paths: dict = {}
    for op in operations:
        path = op.path.replace("+}", "}")   # API Gateway's greedy `{proxy+}` is an ordinary parameter here
        entry: dict[str, Any] = {"summary": op.summary, "tags": [op.tag], "operationId": f"{op.method.lower()}_{path}",
                 "responses": {}}
        params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in path.split("/") if p.startswith("{")]
        params += op.headers
        if params:
            entry["parameters"] = params
        if op.request:
            entry["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{_model(op.request).__name__}"}}}}
        for status, (description, model) in sorted(op.responses.items()):
            response: dict[str, Any] = {"description": description}
            if model:
                response["content"] = {"application/json": {"schema": {
                    "$ref": f"#/components/schemas/{_model(model).__name__}"}}}
            entry["responses"][str(status)] = response
        if op.security:
            entry["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Açık Kapı API", "version": "1.0.0",
                 "description": "Vatandaş başvuruları için Açık Kapı platformu."},
        "paths": paths,
        "components": {"schemas": schema.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


@route(bp, "/v1/openapi.json", "GET", summary="OpenAPI 3.1 belgesi", tag="meta", responses={200: ("OpenAPI", None)})
def openapi():
    return json_response(document(), headers={"Cache-Control": "public, max-age=300"})
