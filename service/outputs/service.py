"""The delivery service: every station's configured outputs, fed from the alarm bus.

It subscribes to the :class:`~service.alarms.AlarmBus` (which never blocks the pipeline), and
its dispatcher thread hands each event to the workers of the alarm's station, one thread per
output, so a slow or dead receiver delays nothing but its own deliveries. At start it resumes
the deliveries a previous run left ``pending`` (those still young enough; older ones are marked
failed). Secrets come from the environment variables the configs name, read once here.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from service.alarms import AlarmBus, AlarmEvent, AlarmStore, Subscription, SubscriptionClosedError
from service.alarms.deliveries import DeliveryRecord
from service.config import StationConfig
from service.outputs.mqtt import MqttSender
from service.outputs.policy import Job, RetryPolicy
from service.outputs.sender import Sender
from service.outputs.webhook import WebhookSender
from service.outputs.worker import OutputWorker

logger = logging.getLogger(__name__)

MIN_SECRET_CHARS = 16
SUBSCRIPTION_SIZE = 1000
POLL_S = 0.2


class OutputSetupError(ValueError):
    """An output cannot be set up (a secret missing from the environment); names the station."""


def read_env(environ: Mapping[str, str], name: str, where: str) -> str:
    """The value of the variable ``name``; :class:`OutputSetupError` when unset or empty."""
    value = environ.get(name, "")
    if not value:
        raise OutputSetupError(f"{where}: the environment variable {name} is not set")
    return value


def webhook_secret(environ: Mapping[str, str], name: str, where: str) -> bytes:
    secret = read_env(environ, name, where)
    if len(secret) < MIN_SECRET_CHARS:  # longer than any placeholder (changeme, secret...)
        raise OutputSetupError(
            f"{where}: {name} must hold a real secret of at least {MIN_SECRET_CHARS} characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return secret.encode("utf-8")


def senders_of(
    config: StationConfig, environ: Mapping[str, str]
) -> list[tuple[Sender, RetryPolicy]]:
    """The senders of one station's ``outputs:`` and their retry policies (none: none)."""
    found: list[tuple[Sender, RetryPolicy]] = []
    webhook, broker = config.outputs.webhook, config.outputs.mqtt
    if webhook is not None:
        where = f"station {config.id}: outputs.webhook.secret_env"
        secret = webhook_secret(environ, webhook.secret_env, where)
        found.append((WebhookSender(config.id, webhook, secret), RetryPolicy.of(webhook)))
    if broker is not None:
        where = f"station {config.id}: outputs.mqtt"
        user = broker.username_env and read_env(
            environ, broker.username_env, f"{where}.username_env"
        )
        word = broker.password_env and read_env(
            environ, broker.password_env, f"{where}.password_env"
        )
        found.append((MqttSender(config.id, broker, user, word), RetryPolicy.of(broker)))
    return found


class DeliveryService:
    """Delivers alarm events to the outputs of their station: ``start``, then ``stop``."""

    def __init__(
        self,
        workers: Sequence[OutputWorker],
        store: AlarmStore,
        bus: AlarmBus,
        stop: threading.Event,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.workers = list(workers)
        self.store, self.bus, self.stop_event, self.clock = store, bus, stop, clock
        self._by_station: dict[str, list[OutputWorker]] = {}
        for worker in self.workers:
            self._by_station.setdefault(worker.sender.station_id, []).append(worker)
        self._subscription: Subscription | None = None
        self._dispatching = False
        self._thread = threading.Thread(target=self._dispatch, name="alarm-outputs", daemon=True)

    @classmethod
    def build(
        cls,
        configs: Sequence[StationConfig],
        store: AlarmStore,
        bus: AlarmBus,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> DeliveryService:
        """The service of every output configured in ``configs`` (possibly none).

        Raises :class:`OutputSetupError` when a secret named by a config is not in ``environ``
        (``os.environ`` by default).
        """
        env = os.environ if environ is None else environ
        stop = threading.Event()
        workers = [
            OutputWorker(sender, policy, store, stop, clock=clock)
            for config in configs
            for sender, policy in senders_of(config, env)
        ]
        return cls(workers, store, bus, stop, clock)

    def describe(self) -> list[str]:
        """One line per output: station, kind and target."""
        return [f"{w.sender.station_id}: {w.sender.kind} {w.sender.target}" for w in self.workers]

    def start(self) -> None:
        """Resume (or fail) pending deliveries, subscribe to the bus, start every thread."""
        self._resume()
        if not self.workers:
            return
        self._subscription = self.bus.subscribe(SUBSCRIPTION_SIZE)
        for worker in self.workers:
            worker.start()
        self._thread.start()
        logger.info("alarm outputs running: %s", "; ".join(self.describe()))

    def stop(self, timeout: float = 5.0, drain_s: float = 2.0) -> None:
        """Stop every thread, after up to ``drain_s`` seconds for what is queued (the alarms of
        the passages judged at shutdown); attempts in flight finish, the rest stays pending."""
        deadline = time.monotonic() + drain_s
        while self._thread.is_alive() and time.monotonic() < deadline:
            if self.idle():
                time.sleep(POLL_S / 4)  # the dispatcher may hold an event between two looks
                if self.idle():
                    break
            time.sleep(0.02)
        self.stop_event.set()
        if self._subscription is not None:
            self.bus.unsubscribe(self._subscription)
        if self._thread.is_alive():
            self._thread.join(timeout)
        for worker in self.workers:
            worker.join(timeout)

    def idle(self) -> bool:
        """Whether nothing is waiting or being delivered."""
        waiting = self._subscription is not None and len(self._subscription) > 0
        return not waiting and not self._dispatching and all(w.idle for w in self.workers)

    def _dispatch(self) -> None:
        assert self._subscription is not None
        while not self.stop_event.is_set():
            try:
                event = self._subscription.get(timeout=POLL_S)
            except SubscriptionClosedError:
                return
            except queue.Empty:
                continue
            self._dispatching = True
            try:
                self._hand_over(event, self.clock())
            finally:
                self._dispatching = False

    def _hand_over(self, event: AlarmEvent, at: float, attempts: int = 0) -> None:
        for worker in self._by_station.get(event.record.station_id, []):
            worker.submit(Job(event, at, attempts))

    def _resume(self) -> None:
        """Queue again what a previous run left pending; mark failed what cannot be."""
        for record in self.store.deliveries_with_status("pending"):
            worker = self._worker(record.station_id, record.output)
            alarm = self.store.get(record.alarm_id)
            if worker is None or alarm is None:
                why = "the alarm is gone" if alarm is None else "the output is no longer configured"
                self._fail(record, f"not resumed after a restart: {why}")
                continue
            worker.submit(Job(AlarmEvent(record.event, alarm), record.created_at, record.attempts))
            logger.info("resuming the %s of alarm %s to %s", record.event, alarm.id, worker.name)

    def _worker(self, station_id: str, kind: str) -> OutputWorker | None:
        matches = [w for w in self._by_station.get(station_id, []) if w.sender.kind == kind]
        return matches[0] if matches else None

    def _fail(self, record: DeliveryRecord, error: str) -> None:
        at = self.clock()
        self.store.save_delivery(replace(record, status="failed", last_error=error, updated_at=at))
