"""Errors the domain raises. Each carries an English code, a Turkish message and,
where it applies, the field at fault; the HTTP layer turns them into JSON bodies."""
from __future__ import annotations


class AppError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None,
                 status: int | None = None, details: dict | None = None,
                 headers: dict | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        error.update(self.details)
        return {"error": error}


class ValidationFailed(AppError):
    """One or more fields are wrong. `errors` lists them all; the first is the headline."""
    status = 422

    def __init__(self, errors: list[dict]):
        first = errors[0]
        super().__init__(first["code"], first["message"], first.get("field"))
        self.errors = errors
        # (Turkish template, context) per error, when schemas.translate made them: the
        # message again in another language (domain/i18n.localise)
        self.sources: list[tuple[str, dict]] = []

    def body(self) -> dict:
        body = super().body()
        body["errors"] = self.errors
        return body


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class Throttled(AppError):
    status = 429


class Gone(AppError):
    status = 410


class Unauthorized(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


def forbidden() -> Forbidden:
    """The one refusal of an action the principal may not take (no detail of why)."""
    return Forbidden("forbidden", "Bu işlem için yetkiniz yok.")
