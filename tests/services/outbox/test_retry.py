"""Retry backoff of failed sends."""

import pytest

from services.outbox.retry import RetryPolicy


def test_backoff_doubles_up_to_the_cap_then_gives_up() -> None:
    policy = RetryPolicy()
    delays = [policy.delay(n) for n in range(1, 8)]
    assert delays == [4.0, 8.0, 16.0, 32.0, 60.0, None, None]
    assert sum(d for d in delays if d is not None) == pytest.approx(120.0)
