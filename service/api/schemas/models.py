"""The model resource: servable versions with their metrics, and which one is active."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from service.jobs import ModelVersion

MODEL_PREFIX = "/api/models"
VERSION_PATTERN = r"^[A-Za-z0-9._\-]{1,64}@[0-9a-f]{1,64}$"


class ModelVersionOut(BaseModel):
    """One model version."""

    version: str = Field(description="The model id: name@weights hash.")
    name: str = Field(description="The registered model name.", examples=["siamese-fast"])
    source: str = Field(description="default (shipped) or job (a train job's export).")
    job_id: str | None = Field(default=None, description="The train job that made it.")
    created: float = Field(description="Wall-clock seconds.")
    metrics: dict[str, Any] = Field(
        description="best_val_accuracy of its training; average and overall (%) of its newest "
        "evaluation."
    )
    active: bool = Field(description="Whether the pipeline serves it now.")

    @classmethod
    def of(cls, v: ModelVersion) -> ModelVersionOut:
        return cls(
            version=v.version,
            name=v.name,
            source=v.source,
            job_id=v.job_id,
            created=v.created,
            metrics=v.metrics,
            active=v.active,
        )


class ModelList(BaseModel):
    items: list[ModelVersionOut] = Field(description="The default first, then newest first.")
    active: str | None = Field(description="The active version, if known.")
