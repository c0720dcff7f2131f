"""/deptset through the real bot: an admin records a 五有 item (audited, shown by
/departments); a bad line gets the usage, an unknown department a Chinese refusal, others
are refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import AuditEntry, DepartmentCheck
from services.oversight import department_edit as edits
from services.oversight.departments import add_department
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

ADMIN = 7601
TOWN_HEAD = 7602


def test_parse_examples() -> None:
    parsed = edits.parse_edit("市市场监管局 2 达标 2026-11-20 综合科（乐市监〔2026〕12号）")
    assert parsed is not None
    assert (parsed.department, parsed.item, parsed.met) == ("市市场监管局", "office", True)
    assert parsed.checked_on is not None
    assert parsed.checked_on.isoformat() == "2026-11-20"
    assert parsed.evidence == "综合科（乐市监〔2026〕12号）"
    assert edits.parse_edit("市教育局 统计制度 未达标") == edits.DepartmentEdit(
        "市教育局", "rules", False, None, ""
    )
    assert edits.parse_edit("市教育局 6 达标") is None
    assert edits.parse_edit("市教育局 1 也许") is None
    assert edits.parse_edit("市教育局 1 达标 2026-02-30") is None


@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused(text: str) -> None:
    parsed = edits.parse_edit(text)
    if parsed is not None:
        assert parsed.item in {"leader", "office", "network", "team", "rules"}
        assert len(parsed.evidence) <= edits.MAX_EVIDENCE


@pytest.mark.usefixtures("bot_app")
async def test_admin_records_an_item_and_it_is_audited(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        await add_department(session=session, name="市市场监管局")
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    usage = await command(emulator, ADMIN, "/deptset 市市场监管局")
    assert "用法" in (usage.text or "")
    unknown = await command(emulator, ADMIN, "/deptset 市不存在局 1 达标")
    assert "没有名为" in (unknown.text or "")
    saved = await command(emulator, ADMIN, "/deptset 市市场监管局 2 达标 2026-11-20 综合科负责")
    assert "已记录" in (saved.text or "")
    assert "有一个责任科室" in (saved.text or "")
    shown = await command(emulator, ADMIN, "/departments")
    assert "综合科负责" in (shown.text or "")
    refused = await command(emulator, TOWN_HEAD, "/deptset 市市场监管局 1 达标")
    assert refused.text == edits.NOT_ALLOWED
    async with sessions() as session:
        checks = (await session.exec(select(DepartmentCheck))).all()
        entries = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "departments.set"))
        ).all()
    assert [(c.item, c.met) for c in checks] == [("office", True)]
    [entry] = entries
    assert entry.actor_id == small_city.person_id("admin")
    assert "市市场监管局" in entry.summary
