"""/study and /settings through the real bot, and `gridbot study import` on the command line."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models.preferences import law_tip_opt_out
from models.study import SOURCE_SELF
from models.tables import StudyRecord
from services.duties.config import DutiesConfig
from services.duties.law_tip import LawTipDuty
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER_TG, OTHER_TG = 8501, 8502


def today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


async def records(sessions: async_sessionmaker[AsyncSession]) -> list[StudyRecord]:
    async with sessions() as session:
        return list((await session.exec(select(StudyRecord))).all())


@pytest.mark.usefixtures("bot_app")
async def test_study_guided_entry_with_bad_input_asked_again(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    start = await command(emulator, MEMBER_TG, "/study")
    assert f"{today().year}年已登记 0/24 学时" in (start.text or "")
    assert "学习日期" in (start.text or "")

    reply = await command(emulator, MEMBER_TG, "后天")
    assert "没看懂这个日期" in (reply.text or "")
    future = (today() + timedelta(days=1)).isoformat()
    reply = await command(emulator, MEMBER_TG, future)
    assert "不能晚于今天" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "昨天")
    assert "学习内容" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "统计法律法规培训")
    assert "学时" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "13")
    assert "0.5–12" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "0.7")
    assert "0.5–12" in (reply.text or "")
    confirm = await command(emulator, MEMBER_TG, "2.5")
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert f"日期：{yesterday}" in (confirm.text or "")
    assert "学时：2.5" in (confirm.text or "")
    # Nothing is written before the confirmation; text at this step asks for a button.
    assert await records(sessions) == []
    nudge = await command(emulator, MEMBER_TG, "好的")
    assert "确认登记" in (nudge.text or "")

    answer, _ = await press(emulator, MEMBER_TG, confirm, "study:ok", forge=False)
    assert answer == ""
    saved = await emulator.wait_for_message(MEMBER_TG, lambda m: "已登记 ✅" in (m.text or ""))
    stored = await records(sessions)
    assert [(r.person_id, r.topic, r.hours, r.source) for r in stored] == [
        (small_city.person_id("member"), "统计法律法规培训", 2.5, SOURCE_SELF)
    ]
    assert stored[0].studied_on == today() - timedelta(days=1)
    if stored[0].studied_on.year == today().year:
        assert "已登记 2.5/24 学时" in (saved.text or "")

    # A second entry, cancelled: nothing more is stored; /study shows the total and the record.
    await command(emulator, MEMBER_TG, "/study")
    await command(emulator, MEMBER_TG, "今天")
    await command(emulator, MEMBER_TG, "联网直报业务培训")
    await command(emulator, MEMBER_TG, "2")
    cancelled = await command(emulator, MEMBER_TG, "/cancel")
    assert "没有登记" in (cancelled.text or "")
    assert len(await records(sessions)) == 1
    summary = await command(emulator, MEMBER_TG, "/study")
    assert "统计法律法规培训 2.5 学时" in (summary.text or "")
    await command(emulator, MEMBER_TG, "/cancel")


@pytest.mark.usefixtures("bot_app")
async def test_study_totals_add_up_over_entries(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "other_member", OTHER_TG)
    for topic, hours in (("统计法培训", "8"), ("直报培训", "4.5")):
        await command(emulator, OTHER_TG, "/study")
        await command(emulator, OTHER_TG, "今天")
        await command(emulator, OTHER_TG, topic)
        confirm = await command(emulator, OTHER_TG, hours)
        mark = emulator.checkpoint()
        await press(emulator, OTHER_TG, confirm, "study:ok", forge=False)
        saved = await emulator.wait_for_message(
            OTHER_TG, lambda m: "已登记 ✅" in (m.text or ""), after=mark
        )
    assert "12.5" in (saved.text or "")
    assert "还差 11.5 学时" in (saved.text or "")
    assert sum(r.hours for r in await records(sessions)) == 12.5


@pytest.mark.usefixtures("bot_app")
async def test_settings_toggle_controls_the_weekly_tip(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    knowledge: KnowledgeBase,
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    member_id = small_city.person_id("member")
    panel = await command(emulator, MEMBER_TG, "/settings")
    assert [b["text"] for b in panel.buttons] == ["每周法治小贴士：开"]
    duty = LawTipDuty(DutiesConfig(), tz=ZoneInfo("Asia/Shanghai"), tips=knowledge.tips())
    monday = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))

    async def tip_recipients() -> set[int]:
        async with sessions() as session:
            return {r.person_id for r in await duty.reminders(session=session, at=monday)}

    assert member_id in await tip_recipients()

    answer, edited = await press(emulator, MEMBER_TG, panel, "set:lawtip:off", forge=False)
    assert answer == ""
    assert edited is not None
    assert "已关闭" in (edited.text or "")
    assert [b["text"] for b in edited.buttons] == ["每周法治小贴士：关"]
    async with sessions() as session:
        assert await law_tip_opt_out(session=session, person_id=member_id)
    assert member_id not in await tip_recipients()

    # Pressing the old "off" button again changes nothing (it names a state, not a toggle).
    answer, _ = await press(emulator, MEMBER_TG, panel, "set:lawtip:off", forge=True)
    assert answer == "设置未变：已经是这个状态。"
    async with sessions() as session:
        assert await law_tip_opt_out(session=session, person_id=member_id)

    again = await command(emulator, MEMBER_TG, "/settings")
    assert [b["text"] for b in again.buttons] == ["每周法治小贴士：关"]
    _, edited = await press(emulator, MEMBER_TG, again, "set:lawtip:on", forge=False)
    assert edited is not None
    assert "已开启" in (edited.text or "")
    assert member_id in await tip_recipients()


@pytest.mark.usefixtures("bot_app")
async def test_unbound_user_cannot_use_study_or_settings(emulator: BotApiEmulator) -> None:
    emulator.user(8599, first_name="stranger")
    for text in ("/study", "/settings"):
        reply = await command(emulator, 8599, text)
        assert "绑定" in (reply.text or "")


# --- gridbot study import ------------------------------------------------------------------


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("GRIDBOT_TOKEN", "GRIDBOT_BOT_USERNAME", "GRIDBOT_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRIDBOT_DATABASE_URL", database_url)
    return tmp_path


async def gridbot(*args: str) -> Result:
    # The CLI runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def test_cli_import_all_or_nothing_and_idempotent(
    cli_env: Path, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    del small_city
    day = (today() - timedelta(days=2)).isoformat()

    def sheet(name: str, rows: list[list[object]]) -> Path:
        workbook = openpyxl.Workbook()
        worksheet = workbook.active
        assert worksheet is not None
        worksheet.append(["手机号", "日期", "内容", "学时"])
        for row in rows:
            worksheet.append(row)
        workbook.save(cli_env / name)
        return cli_env / name

    bad = sheet("bad.xlsx", [["13812345678", day, "培训", 2], ["13812345678", day, "直报", 20]])
    result = await gridbot("study", "import", str(bad))
    assert result.exit_code == 1
    assert "第3行 学时" in result.output
    assert "未导入任何数据" in result.output
    assert await records(sessions) == []

    good = sheet("good.xlsx", [["13812345678", day, "培训", 2], ["13900000007", day, "直报", 3]])
    result = await gridbot("study", "import", str(good))
    assert result.exit_code == 0, result.output
    assert "已导入 2 条" in result.output
    result = await gridbot("study", "import", str(good))
    assert result.exit_code == 0, result.output
    assert "已导入 0 条" in result.output
    assert "跳过已有记录 2 条" in result.output
    assert len(await records(sessions)) == 2
