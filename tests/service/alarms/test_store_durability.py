"""The SQLite store's durability (WAL, synchronous=FULL, kill -9) and its opening errors."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from service.alarms import AlarmStore, AlarmStoreError

REPO = Path(__file__).resolve().parents[3]

WRITER = """
import sys, time
from pathlib import Path
from service.alarms.store import AlarmStore
from service.alarms.types import NewAlarm

store = AlarmStore.sqlite(Path(sys.argv[1]))
store.add(
    NewAlarm("bar_open_at_departure", "st-1", "lift-1", 1700000000.0, passage=4, frame=99,
             details={"open_frames": 3}),
    alarm_id=sys.argv[2],
)
print("stored", flush=True)
time.sleep(60)  # killed long before: no close, no checkpoint, no clean exit
"""


def test_a_committed_alarm_survives_kill_9(tmp_path: Path) -> None:
    alarm_id = uuid.uuid4().hex
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), alarm_id],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, writer.kill)  # never hang the suite on a stuck writer
    watchdog.start()
    try:
        line = writer.stdout.readline() if writer.stdout else ""
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        watchdog.cancel()
        writer.kill()
        stderr = writer.stderr.read() if writer.stderr else ""
    assert line.strip() == "stored", stderr
    assert writer.returncode == -signal.SIGKILL
    # The commit sits in the write-ahead log, not yet checkpointed into the database file.
    assert (tmp_path / "alarms.db-wal").stat().st_size > 0

    with AlarmStore.sqlite(tmp_path) as reopened:
        record = reopened.get(alarm_id)
    assert record is not None
    assert (record.station_id, record.passage, record.frame) == ("st-1", 4, 99)
    assert dict(record.details) == {"open_frames": 3}


def test_every_sqlite_connection_is_wal_and_fully_synchronous(sqlite_store: AlarmStore) -> None:
    for _ in range(2):
        with sqlite_store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        sqlite_store.engine.dispose()  # the next connection is a new one


def test_sqlite_creates_its_data_dir(tmp_path: Path) -> None:
    with AlarmStore.sqlite(tmp_path / "data" / "alarms") as store:
        assert store.list() == ([], None)
    assert (tmp_path / "data" / "alarms" / "alarms.db").is_file()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://liftwatch:s3cret-pw@127.0.0.1:1/alarms",
            "postgresql+psycopg://liftwatch:***@127.0.0.1:1/alarms",
        ),
        ("nosuchdb://u:s3cret-pw@host/db", "nosuchdb://u:***@host/db"),
        ("sqlite:////nonexistent-dir/alarms.db", "sqlite:////nonexistent-dir/alarms.db"),
        ("postgresql://u:s3cret-pw@[bad/db", "postgresql://u:***@[bad/db"),
    ],
)
def test_an_unopenable_url_is_a_clear_error_without_password(url: str, shown: str) -> None:
    with pytest.raises(AlarmStoreError, match="cannot open the alarm store at") as error:
        AlarmStore(url)
    message = str(error.value)
    assert shown in message
    assert "s3cret-pw" not in message
    assert "\n" not in message
