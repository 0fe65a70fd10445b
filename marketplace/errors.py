"""The one error shape of the API: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

__all__ = ["ApiError", "error_response"]


class ApiError(Exception):
    """An error answered to the caller; ``code`` is stable, ``message`` is for humans."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.field = field  # the offending request field, e.g. "customer.name"

    @classmethod
    def unauthorized(cls, message: str = "Jeton d’appareil manquant, inconnu ou révoqué.") -> ApiError:
        return cls(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})

    @classmethod
    def invalid(cls, message: str, field: str | None = None) -> ApiError:
        return cls(422, "invalid_request", message, field=field)


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None,
                   field: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if field is not None:
        body["error"]["field"] = field
    return JSONResponse(body, status_code=status, headers=headers)
