"""Errors as JSON, always: ``{"error": {"code", "message"}}`` for every 4xx and 5xx.

Routes raise :class:`ApiError` (an ``HTTPException`` with a machine-readable code). Validation
errors name each invalid input. An unexpected exception is logged with its traceback and
answered with a plain 500 that leaks nothing of it; a failing alarm database is a 503.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.alarms import AlarmStoreError
from service.api.schemas.errors import ErrorInfo, ErrorResponse, FieldProblem

logger = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(HTTPException):
    """An HTTP error with a code (``not_found``...) and a message for the client."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message, dict(headers) if headers else None)
        self.code = code


def not_found(message: str) -> ApiError:
    return ApiError(status.HTTP_404_NOT_FOUND, "not_found", message)


def invalid(field: str, message: str, location: str = "query") -> RequestValidationError:
    """A 422 about one input, shaped like FastAPI's own validation errors."""
    return RequestValidationError(
        [{"type": "value_error", "loc": (location, field), "msg": message, "input": None}]
    )


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: list[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorInfo(code=code, message=message, details=details))
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code, headers=headers
    )


def _code(status_code: int) -> str:
    if status_code in CODES:
        return CODES[status_code]
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = exc.code if isinstance(exc, ApiError) else _code(exc.status_code)
    message = exc.detail if isinstance(exc.detail, str) else _code(exc.status_code)
    if not isinstance(exc, ApiError) and exc.status_code == 404:
        message = f"no such resource: {request.url.path}"
    return error_response(exc.status_code, code, message, headers=exc.headers)


def field_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    problems = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else "request"
        field = ".".join(loc[1:]) or location
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append(FieldProblem(field=field, location=location, message=message))
    return problems


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = field_problems(exc.errors())
    message = "; ".join(f"{p.field}: {p.message}" for p in problems) or "invalid request"
    return error_response(422, "validation_error", message, problems)


async def store_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("alarm store failure on %s %s: %s", request.method, request.url.path, exc)
    return error_response(
        503, "unavailable", "the alarm store is unavailable; the server log says why"
    )


class CatchAllMiddleware:
    """Answers an unexpected exception with a plain JSON 500 (the traceback goes to the log).

    Once a response has started (a stream) nothing can be sent any more: the exception is
    logged and the connection closed by the server.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(500, "internal_error", "internal error; see the server log")
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors for HTTP errors, validation errors, the alarm store and anything else."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(AlarmStoreError, store_error)
    app.add_middleware(CatchAllMiddleware)
