"""催报 tests run on any day: the chase goes out at once (working days are tested apart)."""

import pytest


@pytest.fixture
def every_day_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("services.chase.messages.is_workday", lambda _day: True)
