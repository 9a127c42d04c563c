"""Retry policy: exponential backoff capped, bounded by attempts and by age."""

from __future__ import annotations

from service.config import WebhookConfig
from service.outputs import RetryPolicy


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=10, max_age_s=1e6, backoff_initial_s=0.5, backoff_max_s=3)
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1, 2, 3, 3, 3]
    assert policy.next_wait(1, 0.0) == 0.5


def test_it_gives_up_after_the_attempts_or_past_the_age() -> None:
    policy = RetryPolicy(max_attempts=3, max_age_s=10, backoff_initial_s=1, backoff_max_s=8)
    assert policy.next_wait(2, 0.0) == 2
    assert policy.next_wait(3, 0.0) is None  # the third attempt was the last
    assert policy.next_wait(2, 8.5) is None  # a retry would start past 10 s
    assert policy.expired(10.5) and not policy.expired(9.0)


def test_from_the_config() -> None:
    config = WebhookConfig(
        url="http://x/y", secret_env="S", max_attempts=4, max_age_s=30, backoff_initial_s=0.2
    )
    assert RetryPolicy.of(config) == RetryPolicy(4, 30.0, 0.2, 60.0)
