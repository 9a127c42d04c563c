"""``JobRunner``: queues jobs, runs their steps as processes, follows them, cancels them.

One background thread polls every ``poll_s``: a step that ended starts the next one or ends
the job (succeeded, failed with its exit code, or cancelled); queued jobs start while fewer
than ``max_running`` run (one by default: the machine is small). Cancelling sends SIGTERM to
the step's process group and SIGKILL after ``grace_s``. Records are saved at every change, so
they survive a restart; at start, jobs a previous process left "running" are failed
("interrupted by a restart") and their process group, if still alive, is killed.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.jobs import process
from service.jobs.commands import CROPS_FILE, EXPORT_FILE, CommandBuilder, liftwatch_commands
from service.jobs.progress import evaluation_result, pairing_result, tail, train_progress
from service.jobs.repository import JobRepository
from service.jobs.types import INTERRUPTED, JobKind, JobRecord, JobStatus

logger = logging.getLogger(__name__)
JOBS_DIR = "jobs"
LOG_FILE = "job.log"


class JobError(Exception):
    """A job operation that cannot be done: ``status`` 404 (no such job) or 409 (conflict)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Running:
    job: JobRecord
    popen: subprocess.Popen[bytes]
    cancel_at: float | None = None


class JobRunner:
    """Runs jobs in ``data_dir/jobs/<id>/`` (``job.log``, ``out/``); records in ``repository``."""

    def __init__(
        self,
        repository: JobRepository,
        data_dir: Path,
        *,
        commands: CommandBuilder = liftwatch_commands,
        max_running: int = 1,
        grace_s: float = 5.0,
        poll_s: float = 0.2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.repository = repository
        self.root = data_dir / JOBS_DIR
        self.commands = commands
        self.max_running = max_running
        self.grace_s = grace_s
        self.poll_s = poll_s
        self.clock = clock
        self._running: dict[str, _Running] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------ paths

    def job_dir(self, job_id: str) -> Path:
        return self.root / job_id

    def out_dir(self, job_id: str) -> Path:
        return self.job_dir(job_id) / "out"

    def log_path(self, job_id: str) -> Path:
        return self.job_dir(job_id) / LOG_FILE

    # ------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Fail the jobs a previous process left running, then start running the queue."""
        self.recover()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="job-runner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread; running jobs are terminated and failed (queued ones stay)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._lock:
            for run in list(self._running.values()):
                process.terminate(run.popen.pid)
            deadline = time.monotonic() + self.grace_s
            for run in list(self._running.values()):
                try:
                    run.popen.wait(max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill(run.popen.pid)
                    run.popen.wait()
                status: JobStatus = "cancelled" if run.cancel_at is not None else "failed"
                self._finish(run.job, status, None if status == "cancelled" else "server stopped")
            self._running.clear()

    def recover(self) -> list[JobRecord]:
        """Mark jobs left "running" by a previous process failed; returns them."""
        failed = []
        for job in self.repository.list("running", limit=1000):
            if job.id in self._running:
                continue
            if job.pid is not None and process.alive(job.pid) and _is_job_process(job.pid):
                process.kill(job.pid)
            failed.append(self._finish(job, "failed", INTERRUPTED))
            logger.warning("job %s (%s %s) %s", job.id, job.kind, job.model, INTERRUPTED)
        return failed

    # ------------------------------------------------------------------------------ requests

    def submit(self, kind: JobKind, model: str, params: dict[str, Any]) -> JobRecord:
        """Queue a job; it starts when fewer than ``max_running`` run."""
        job_id = uuid.uuid4().hex
        job = JobRecord(job_id, kind, model, "queued", dict(params), [], self.clock())
        job = job.update(commands=self.commands(job, self.out_dir(job_id)))
        self.job_dir(job_id).mkdir(parents=True, exist_ok=True)
        self.repository.add(job)
        logger.info("job %s queued: %s %s", job_id, kind, model)
        self._wake.set()
        return job

    def get(self, job_id: str) -> JobRecord:
        with self._lock:
            if job_id in self._running:
                return self._running[job_id].job
        job = self.repository.get(job_id)
        if job is None:
            raise JobError(404, f"no job {job_id!r}")
        return job

    def list(self, status: JobStatus | None = None, limit: int = 100) -> list[JobRecord]:
        return self.repository.list(status, limit)

    def cancel(self, job_id: str) -> JobRecord:
        """Cancel a queued job at once, or terminate a running one (it ends "cancelled")."""
        with self._lock:
            run = self._running.get(job_id)
            if run is not None:
                if run.cancel_at is None:
                    run.cancel_at = time.monotonic()
                    process.terminate(run.popen.pid)
                    logger.info("job %s: cancelling (SIGTERM to %d)", job_id, run.popen.pid)
                self._wake.set()
                return run.job
            job = self.get(job_id)
            if job.finished:
                raise JobError(409, f"job {job_id} has already ended ({job.status})")
            return self._finish(job, "cancelled", None)

    def progress(self, job: JobRecord) -> dict[str, Any]:
        """Step (1-based) of the job's steps, and for training the epoch log so far."""
        steps = len(job.commands)
        progress: dict[str, Any] = {"step": min(job.step + 1, steps), "steps": steps}
        if job.kind in ("train", "pairing"):
            progress.update(train_progress(self.out_dir(job.id), job.params.get("epochs")))
        return progress

    def log_tail(self, job_id: str, max_bytes: int = 16_384) -> str:
        self.get(job_id)
        return tail(self.log_path(job_id), max_bytes)

    def wait(self, job_id: str, timeout: float) -> JobRecord:
        """Poll until the job has ended or ``timeout`` passed (tests and scripts)."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.get(job_id)
        return job

    # ------------------------------------------------------------------------------ the loop

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:
                logger.exception("job runner tick failed")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _tick(self) -> None:
        with self._lock:
            for run in list(self._running.values()):
                self._follow(run)
            while len(self._running) < self.max_running and not self._stop.is_set():
                queued = self.repository.list("queued", limit=1)
                if not queued:
                    break
                self._start(queued[0].update(status="running", started_at=self.clock()), 0)

    def _start(self, job: JobRecord, step: int) -> None:
        try:
            popen = process.spawn(job.commands[step], self.log_path(job.id))
        except OSError as exc:
            self._running.pop(job.id, None)
            self._finish(job, "failed", f"step {step + 1} could not start: {exc}")
            return
        job = job.update(step=step, pid=popen.pid)
        self.repository.save(job)
        previous = self._running.get(job.id)
        self._running[job.id] = _Running(job, popen, previous.cancel_at if previous else None)
        logger.info("job %s: step %d started (pid %d)", job.id, step + 1, popen.pid)

    def _follow(self, run: _Running) -> None:
        code = run.popen.poll()
        if code is None:
            if run.cancel_at is not None and time.monotonic() - run.cancel_at > self.grace_s:
                process.kill(run.popen.pid)
            return
        process.kill(run.popen.pid)  # whatever the step left in its group
        job = run.job
        if run.cancel_at is not None:
            del self._running[job.id]
            self._finish(job, "cancelled", None)
        elif code != 0:
            del self._running[job.id]
            what = " ".join(job.commands[job.step][2:4])
            self._finish(job, "failed", f"step {job.step + 1} ({what}) exited with code {code}")
        elif job.step + 1 < len(job.commands):
            self._start(job, job.step + 1)
        else:
            del self._running[job.id]
            self._succeed(job)

    def _succeed(self, job: JobRecord) -> None:
        out = self.out_dir(job.id)
        try:
            result = self._result(job, out)
        except (OSError, ValueError) as exc:
            self._finish(job, "failed", f"its output cannot be read: {exc}")
            return
        self._finish(job.update(result=result), "succeeded", None)

    def _result(self, job: JobRecord, out: Path) -> dict[str, Any]:
        if job.kind == "evaluate":
            return evaluation_result(out)
        if job.kind == "pairing":
            return pairing_result(out, out / CROPS_FILE)
        result: dict[str, Any] = {"train": train_progress(out, job.params.get("epochs"))}
        model = out / EXPORT_FILE
        if model.is_file():
            from service.jobs.catalog import version_of

            result.update(model_path=str(model), version=version_of(model))
        return result

    def _finish(self, job: JobRecord, status: JobStatus, error: str | None) -> JobRecord:
        job = job.update(status=status, error=error, ended_at=self.clock(), pid=None)
        self.repository.save(job)
        logger.info("job %s %s%s", job.id, status, f": {error}" if error else "")
        return job


def _is_job_process(pid: int) -> bool:
    """Whether ``pid`` runs the liftwatch CLI (so a reused pid is never killed)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"service.cli" in cmdline or b"liftwatch" in cmdline
