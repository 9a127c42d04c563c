"""The one error shape of the API: ``{"error": {"code", "message", "details"?}}``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    """One invalid input of a request."""

    field: str = Field(description="The input: a query or path parameter, or a body field.")
    location: str = Field(description="Where it was: query, path, body or header.")
    message: str = Field(description="What is wrong with it.")


class ErrorInfo(BaseModel):
    """What went wrong, for programs (``code``) and for people (``message``)."""

    code: str = Field(
        description="unauthorized, forbidden, not_found, validation_error, "
        "payload_too_large, unavailable, internal_error, ...",
        examples=["validation_error"],
    )
    message: str = Field(
        description="A sentence naming the problem.", examples=["limit: must be at least 1"]
    )
    details: list[FieldProblem] | None = Field(
        default=None, description="Each invalid input (validation errors only)."
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"error": {"code": "not_found", "message": "no alarm 3f2a..."}}]
        }
    )

    error: ErrorInfo


def _response(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _response("No API key, or an unknown one."),
    403: _response("The key's role is too low, or (no key configured) the client is not local."),
    422: _response("An invalid parameter or body field, named in the message."),
}
"""The error answers every authenticated route can give, for the OpenAPI document."""
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _response("No such resource.")}
