"""/evaluate in the chat, for admins: the year's workbook and grade counts, then [确认评定]
and a second confirmation saying the year will be frozen (services.oversight.evaluation)."""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from core.formatting import esc
from models.enums import Role
from services.access import Viewer
from services.audit import Actor
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.evaluation.confirmation import (
    AlreadyConfirmed,
    confirm_year,
    evaluation_for_year,
    summary,
)
from services.oversight.evaluation.sheet import evaluation_xlsx

FIRST_YEAR, LAST_YEAR = 2000, 2100

NOT_ALLOWED = "年度绩效评定仅限市统计局管理员。"
FUNDING_NOT_ALLOWED = "经费台账仅限市统计局管理员。"
FUNDING_USAGE = "用法：<code>/funding 2026</code>（年度，2000–2100）。"
USAGE = "用法：<code>/evaluate 2026</code>（年度，2000–2100）。"
CONFIRM = "确认评定"
FREEZE = "确定，冻结 {year} 年度"
ASK_FREEZE = (
    "<b>确认 {year} 年度评定？</b>\n确认后该年度的得分、等级和建议奖励<b>冻结</b>，"
    "此后数据变化不再改变结果，也不能再次确认。"
)
ALREADY = "{year} 年度评定已确认过，结果已冻结，不能再次确认。"
CONFIRMED = "<b>{year} 年度评定已确认并冻结。</b>\n{summary}"


@dataclass(frozen=True)
class EvaluationConfirm(CallbackData, prefix="ev"):
    """[确认评定] (freeze False) and the second confirmation (freeze True) of one year."""

    year: int
    freeze: bool

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValueError(f"year {self.year} out of range")


def may_evaluate(viewer: Viewer) -> bool:
    return Role.ADMIN in viewer.roles


def parse_year(text: str) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


@dataclass(frozen=True)
class Shown:
    text: str
    workbook: bytes
    keyboard: Keyboard | None


async def show_year(
    *, session: AsyncSession, year: int, config: EvaluationConfig, tz: tzinfo
) -> Shown:
    outcome = await evaluation_for_year(session=session, year=year, config=config, tz=tz)
    keyboard = (
        [[Button(CONFIRM, data=EvaluationConfirm(year, freeze=False))]]
        if outcome.run is None
        else None
    )
    return Shown(esc(summary(outcome, tz=tz)), evaluation_xlsx(outcome, config, tz=tz), keyboard)


def freeze_question(year: int) -> tuple[str, Keyboard]:
    return ASK_FREEZE.format(year=year), [
        [Button(FREEZE.format(year=year), data=EvaluationConfirm(year, freeze=True))]
    ]


async def freeze_year(
    *,
    session: AsyncSession,
    viewer: Viewer,
    year: int,
    config: EvaluationConfig,
    now: datetime,
    tz: tzinfo,
) -> Shown | str:
    """Confirm and freeze the year (audited; the caller commits), or the refusal."""
    try:
        outcome = await confirm_year(
            session=session,
            year=year,
            config=config,
            confirmed_by=viewer.name,
            now=now,
            tz=tz,
            actor=Actor.chat(viewer.person_id, viewer.name),
        )
    except AlreadyConfirmed:
        return ALREADY.format(year=year)
    return Shown(
        CONFIRMED.format(year=year, summary=esc(summary(outcome, tz=tz))),
        evaluation_xlsx(outcome, config, tz=tz),
        None,
    )
