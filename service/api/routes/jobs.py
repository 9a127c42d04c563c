"""``/api/jobs``: start training, evaluation and pairing jobs (admin), follow them, cancel them.

Each job runs ``liftwatch train`` (then ``export``), ``liftwatch evaluate`` or ``liftwatch
pairing train`` (then, for getnet, ``pairing crops``) in its own process (see
:mod:`service.jobs`); at most one runs at a time by default, the others wait queued.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import PlainTextResponse

from service.api.deps import AdminDep, JobsDep, ModelsDep, SettingsDep, ViewerDep
from service.api.errors import ApiError, invalid
from service.api.schemas.errors import AUTH_RESPONSES, NOT_FOUND
from service.api.schemas.jobs import (
    JOB_ID_PATTERN,
    JOB_PREFIX,
    EvaluateRequest,
    Job,
    JobList,
    TrainRequest,
)
from service.api.schemas.pairing_jobs import PairingRequest
from service.jobs import (
    DataError,
    JobError,
    JobRecord,
    JobRunner,
    JobStatus,
    UnknownVersionError,
    resolve_data,
)
from service.jobs.commands import PAIRING_WEIGHTS

router = APIRouter(prefix=JOB_PREFIX, tags=["jobs"], responses=AUTH_RESPONSES)
JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN, description="The job's id.")]
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The job has already ended."}}


def _job(jobs: JobRunner, record: JobRecord) -> Job:
    return Job.of(record, jobs.progress(record))


def _check_model(name: str) -> None:
    from models.zoo import list_models  # registers every model (imports torch)

    if name not in list_models():
        known = ", ".join(list_models())
        raise invalid("model", f"unknown model {name!r}; known models: {known}", "body")


def _check_loss(body: TrainRequest) -> None:
    from models.zoo.registry import model_class

    kind = model_class(body.model).kind
    if body.loss == "triplet" and kind != "siamese":
        message = f"loss 'triplet' needs a siamese model; {body.model} is a {kind}"
        raise invalid("loss", message, "body")


def _check_model_args(body: TrainRequest) -> None:
    if not body.model_args:
        return
    from models.zoo.model_args import check_model_args

    try:
        check_model_args(body.model, body.model_args)
    except ValueError as exc:
        raise invalid("model_args", str(exc), "body") from None


def _check_pairing(body: PairingRequest, source: dict[str, str]) -> None:
    """The checks ``PairingConfig`` makes across fields (the window's range, the schedule, a
    frozen STN's source, the crop), with ``source`` from :func:`_stn_source`."""
    from models.pairing.train import ConfigError, PairingConfig

    try:
        PairingConfig(**body.config_fields(), **source)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise invalid(exc.field, str(exc), "body") from None


def _stn_source(body: PairingRequest, jobs: JobRunner) -> dict[str, str]:
    """``{"stn_from": path}``, the weights of the job ``stn_from_job`` names (a succeeded getnet
    pairing job with this request's localiser and largest window), or ``{}`` without one."""
    job_id = body.stn_from_job
    if job_id is None:
        return {}
    if body.model != "getnet":
        raise invalid("stn_from_job", f"needs model getnet, got {body.model!r}", "body")
    try:
        source = jobs.get(job_id)
    except JobError:
        raise invalid("stn_from_job", f"there is no job {job_id}", "body") from None
    if (source.kind, source.model, source.status) != ("pairing", "getnet", "succeeded"):
        what = f"a {source.status} {source.kind} job of {source.model}"
        raise invalid(
            "stn_from_job", f"job {job_id} is {what}, not a succeeded getnet pairing job", "body"
        )
    for name in ("stn_localiser", "stn_s_max"):
        theirs, ours = source.params.get(name), getattr(body, name)
        if theirs != ours:
            message = f"job {job_id} has {name} {theirs!r}, this request {ours!r}: they must match"
            raise invalid("stn_from_job", message, "body")
    path = jobs.out_dir(job_id) / PAIRING_WEIGHTS
    if not path.is_file():
        raise invalid("stn_from_job", f"job {job_id} left no weights", "body")
    return {"stn_from": str(path)}


def _data(text: str, settings: SettingsDep) -> str:
    try:
        return resolve_data(text, settings.data_dir)
    except DataError as exc:
        raise invalid("data", str(exc), "body") from None


def _get(jobs: JobRunner, job_id: str) -> JobRecord:
    try:
        return jobs.get(job_id)
    except JobError as exc:
        raise ApiError(exc.status, "not_found", str(exc)) from None


@router.post(
    "/train", response_model=Job, status_code=status.HTTP_202_ACCEPTED, summary="Train a model"
)
def train(body: TrainRequest, jobs: JobsDep, settings: SettingsDep, _: AdminDep) -> Job:
    _check_model(body.model)
    _check_loss(body)
    _check_model_args(body)
    params = body.model_dump(exclude={"model"}) | {"data": _data(body.data, settings)}
    return _job(jobs, jobs.submit("train", body.model, params))


@router.post(
    "/evaluate",
    response_model=Job,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Evaluate a train job's weights or a model version",
)
def evaluate(
    body: EvaluateRequest, jobs: JobsDep, models: ModelsDep, settings: SettingsDep, _: AdminDep
) -> Job:
    _check_model(body.model)
    data = _data(body.data, settings)
    try:
        path, version = models.weights_for(body.weights, body.model)
    except UnknownVersionError as exc:
        raise invalid("weights", str(exc), "body") from None
    params = body.model_dump(exclude={"model"}) | {
        "data": data,
        "weights_path": str(path),
        "weights_version": version,
    }
    return _job(jobs, jobs.submit("evaluate", body.model, params))


@router.post(
    "/pairing",
    response_model=Job,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Train and test on GetNet's cluttered-MNIST pairing task",
)
def pairing(body: PairingRequest, jobs: JobsDep, _: AdminDep) -> Job:
    source = _stn_source(body, jobs)
    _check_pairing(body, source)
    params = body.model_dump() | source
    return _job(jobs, jobs.submit("pairing", body.model, params))


@router.get("", response_model=JobList, summary="Jobs, newest first")
def list_jobs(
    jobs: JobsDep,
    _: ViewerDep,
    status: Annotated[JobStatus | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JobList:
    return JobList(items=[_job(jobs, r) for r in jobs.list(status, limit)])


@router.get("/{job_id}", response_model=Job, summary="One job", responses=NOT_FOUND)
def get_job(job_id: JobId, jobs: JobsDep, _: ViewerDep) -> Job:
    return _job(jobs, _get(jobs, job_id))


@router.get(
    "/{job_id}/log",
    response_class=PlainTextResponse,
    summary="The tail of a job's output",
    responses={200: {"content": {"text/plain": {}}}, **NOT_FOUND},
)
def job_log(
    job_id: JobId,
    jobs: JobsDep,
    _: ViewerDep,
    max_bytes: Annotated[int, Query(alias="bytes", ge=1, le=1_000_000)] = 16_384,
) -> PlainTextResponse:
    _get(jobs, job_id)
    return PlainTextResponse(jobs.log_tail(job_id, max_bytes))


@router.post(
    "/{job_id}/cancel",
    response_model=Job,
    summary="Cancel a queued or running job",
    responses={**NOT_FOUND, **CONFLICT},
)
def cancel_job(job_id: JobId, jobs: JobsDep, _: AdminDep) -> Job:
    try:
        record = jobs.cancel(job_id)
    except JobError as exc:
        code = "not_found" if exc.status == 404 else "conflict"
        raise ApiError(exc.status, code, str(exc)) from None
    return _job(jobs, record)
