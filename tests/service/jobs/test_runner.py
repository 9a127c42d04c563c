"""The job runner with fake commands: steps in order, failure, progress, queueing, cancel,
restart recovery."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.alarms import AlarmStore
from service.jobs import JobRecord, JobRunner
from service.jobs.commands import CommandBuilder
from service.jobs.process import alive
from service.jobs.repository import JobRepository
from service.jobs.types import INTERRUPTED
from tests.service.jobs.fakes import failing, quick, sleeping


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AlarmStore]:
    with AlarmStore.sqlite(tmp_path) as alarm_store:
        yield alarm_store


def make_runner(store: AlarmStore, tmp_path: Path, commands: CommandBuilder) -> JobRunner:
    return JobRunner(
        JobRepository(store.engine), tmp_path, commands=commands, poll_s=0.02, grace_s=1.0
    )


@pytest.fixture
def started(store: AlarmStore, tmp_path: Path) -> Iterator[dict[str, JobRunner]]:
    runners: dict[str, JobRunner] = {}
    yield runners
    for runner in runners.values():
        runner.stop(timeout=2.0)


def run(runners: dict[str, JobRunner], runner: JobRunner) -> JobRunner:
    runners[str(id(runner))] = runner
    runner.start()
    return runner


def test_steps_run_in_order_and_progress_reads_the_epoch_log(
    store: AlarmStore, tmp_path: Path, started: dict[str, JobRunner]
) -> None:
    runner = run(started, make_runner(store, tmp_path, quick))
    job = runner.submit("train", "siamese-fast", {"data": "synthetic:small", "epochs": 2})
    done = runner.wait(job.id, 10)
    assert done.status == "succeeded", done.error
    assert done.started_at is not None and done.ended_at is not None
    progress = runner.progress(done)
    assert progress["epoch"] == 2 and progress["epochs"] == 2
    assert progress["val_accuracy"] == pytest.approx(0.7)
    assert done.result["train"]["best_val_accuracy"] == pytest.approx(0.7)
    log = runner.log_tail(job.id)
    assert "trained" in log and "exported" in log
    assert runner.repository.get(job.id) == done  # persisted


def test_a_failing_step_fails_the_job_with_its_exit_code(
    store: AlarmStore, tmp_path: Path, started: dict[str, JobRunner]
) -> None:
    runner = run(started, make_runner(store, tmp_path, failing))
    done = runner.wait(runner.submit("train", "siamese-fast", {}).id, 10)
    assert done.status == "failed"
    assert done.error is not None and "code 3" in done.error
    assert "boom" in runner.log_tail(done.id)


def test_one_job_at_a_time_and_cancel_queued_and_running(
    store: AlarmStore, tmp_path: Path, started: dict[str, JobRunner]
) -> None:
    runner = run(started, make_runner(store, tmp_path, sleeping))
    first = runner.submit("train", "siamese-fast", {})
    second = runner.submit("train", "siamese-fast", {})
    deadline = time.monotonic() + 5
    while runner.get(first.id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.02)
    running = runner.get(first.id)
    assert running.status == "running" and running.pid is not None
    assert runner.get(second.id).status == "queued"
    assert runner.cancel(second.id).status == "cancelled"
    begun = time.monotonic()
    runner.cancel(first.id)
    done = runner.wait(first.id, 5)
    assert done.status == "cancelled"
    assert time.monotonic() - begun < 3
    assert not alive(running.pid)
    with pytest.raises(Exception, match="already ended"):
        runner.cancel(first.id)


def test_restart_fails_jobs_left_running(store: AlarmStore, tmp_path: Path) -> None:
    repository = JobRepository(store.engine)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = JobRecord(
        "a" * 32, "train", "siamese-fast", "running", {}, [["x"]], time.time(), pid=gone.pid
    )
    repository.add(orphan)
    runner = make_runner(store, tmp_path, quick)
    failed = runner.recover()
    assert [j.id for j in failed] == [orphan.id]
    record = repository.get(orphan.id)
    assert record is not None and record.status == "failed" and record.error == INTERRUPTED
    assert os.getpid() != gone.pid
