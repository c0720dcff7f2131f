"""Rate-limit settings (positive whole numbers, validated at start-up) and the Chinese
refusal's retry time, in the bot's time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.settings import SettingsError, load_settings
from services.limits import Action, checkin_limits, refusal, retry_time, rule

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-12-03 10:04:30 in Shanghai.
NOW = datetime(2026, 12, 3, 2, 4, 30, tzinfo=UTC)

LIMITS = (
    "questions_per_hour",
    "followups_per_hour",
    "notices_per_hour",
    "exports_per_hour",
    "checkin_attempts_per_activity",
    "checkin_attempt_minutes",
    "checkin_attempts_per_hour",
)


def test_the_defaults_are_sensible() -> None:
    settings = load_settings()
    assert rule(settings, Action.QUESTION).limit == 10
    assert rule(settings, Action.QUESTION).window == timedelta(hours=1)
    checkin = checkin_limits(settings)
    assert checkin.for_activity(7).key == "checkin:7"
    assert checkin.for_activity(7).window == timedelta(minutes=15)
    assert 1 <= checkin.per_activity <= checkin.overall.limit


@pytest.mark.parametrize("name", LIMITS)
@pytest.mark.parametrize("value", ["0", "-3", "2.5", "十", "many"])
def test_each_limit_must_be_a_positive_whole_number(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"GRIDBOT_{name.upper()}", value)
    with pytest.raises(SettingsError, match=f"GRIDBOT_{name.upper()}"):
        load_settings()


@pytest.mark.parametrize("name", LIMITS)
def test_each_limit_is_read_from_the_environment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"GRIDBOT_{name.upper()}", "7")
    assert getattr(load_settings(), name) == 7


def test_the_retry_time_is_rounded_up_and_dated_when_not_today() -> None:
    assert retry_time(NOW, now=NOW, tz=SHANGHAI) == "10:05"
    on_the_minute = NOW.replace(second=0)
    assert retry_time(on_the_minute, now=NOW, tz=SHANGHAI) == "10:04"
    tomorrow = NOW + timedelta(hours=14)
    assert retry_time(tomorrow, now=NOW, tz=SHANGHAI) == "12月4日 00:05"
    # The day is Shanghai's: the same UTC day, but past midnight there.
    evening = datetime(2026, 12, 3, 15, 50, tzinfo=UTC)
    assert retry_time(evening + timedelta(minutes=20), now=evening, tz=SHANGHAI) == (
        "12月4日 00:10"
    )
    assert (
        refusal(Action.QUESTION, NOW + timedelta(hours=1), now=NOW, tz=SHANGHAI)
        == "提问过于频繁，请在 11:05 后再试。"
    )
    assert refusal(Action.CHECKIN, NOW, now=NOW, tz=SHANGHAI).startswith(
        "签到码尝试次数过多，请在 10:05 后再试"
    )
