"""What every command group shares: a database that was never migrated is named, with the fix,
by each command that reads it, and bad settings end it before it starts."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def empty_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh SQLite file, never migrated, in an empty directory (no stray .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["grids", "show"],
        ["export", "reports", "--period", "2026-11"],
        ["evaluate", "--year", "2026"],
        ["funding", "--year", "2026"],
        ["departments", "report"],
        ["duties", "status", "--period", "2026-11"],
    ],
    ids=" ".join,
)
def test_unmigrated_database_is_named_with_the_fix(
    empty_database: Path, command: list[str]
) -> None:
    del empty_database
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "数据库尚未初始化，请先运行：gridbot db upgrade" in result.output
    assert "Traceback" not in result.output


def test_bad_settings_stop_every_group(
    empty_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    del empty_database
    monkeypatch.setenv("GRIDBOT_TIMEZONE", "Mars/Olympus")
    for command in (["departments", "report"], ["export", "reports", "--period", "2026-11"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "GRIDBOT_TIMEZONE" in result.output
