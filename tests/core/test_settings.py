"""Settings: environment and .env, defaults, and fail-fast messages."""

from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "GRIDBOT_TOKEN",
        "GRIDBOT_DATABASE_URL",
        "GRIDBOT_API_BASE_URL",
        "GRIDBOT_TIMEZONE",
        "GRIDBOT_BOT_USERNAME",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_defaults(clean_env: Path) -> None:
    del clean_env
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./gridbot.db"
    assert settings.bot_base_url == "https://api.telegram.org/bot"
    assert settings.tz.key == "Asia/Shanghai"
    assert settings.invite_ttl.days == 30


def test_dotenv_file_and_secret_token(clean_env: Path) -> None:
    (clean_env / ".env").write_text(
        "GRIDBOT_TOKEN=123:abc\nGRIDBOT_API_BASE_URL=http://127.0.0.1:8081/\n", encoding="utf-8"
    )
    settings = load_settings(require_token=True)
    assert settings.require_token() == "123:abc"
    assert "123:abc" not in repr(settings)  # SecretStr keeps it out of logs
    assert settings.bot_base_url == "http://127.0.0.1:8081/bot"


def test_missing_token_says_what_to_set(clean_env: Path) -> None:
    del clean_env
    with pytest.raises(SettingsError, match="GRIDBOT_TOKEN") as caught:
        load_settings(require_token=True)
    assert "未设置机器人令牌" in str(caught.value)
    assert "No bot token" in str(caught.value)


def test_bad_values_are_named(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    del clean_env
    monkeypatch.setenv("GRIDBOT_INVITE_TTL_DAYS", "0")
    with pytest.raises(SettingsError, match="GRIDBOT_INVITE_TTL_DAYS"):
        load_settings()
