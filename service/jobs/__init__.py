"""Training and evaluation jobs run as separate processes, and the model versions they make.

``JobRunner`` queues jobs (at most ``max_running`` at a time), runs each as ``liftwatch train``
(then ``liftwatch export``) or ``liftwatch evaluate`` in its own process group, follows its
epoch log, and keeps every record in the ``jobs`` table of the alarm store's database.
``ModelCatalog`` lists the model versions (the shipped default and every trained export) and
hot-swaps one into a running pipeline.
"""

from service.jobs.catalog import ModelCatalog, ModelVersion, UnknownVersionError
from service.jobs.data import DataError, resolve_data
from service.jobs.runner import JobError, JobRunner
from service.jobs.types import JOB_KINDS, JOB_STATUSES, JobKind, JobRecord, JobStatus

__all__ = [
    "JOB_KINDS",
    "JOB_STATUSES",
    "DataError",
    "JobError",
    "JobKind",
    "JobRecord",
    "JobRunner",
    "JobStatus",
    "ModelCatalog",
    "ModelVersion",
    "UnknownVersionError",
    "resolve_data",
]
