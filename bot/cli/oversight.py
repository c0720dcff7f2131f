"""`gridbot evaluate`, `gridbot funding` and `gridbot departments`: the annual grid evaluation
(computed, written to .xlsx, confirmed and frozen), the funding ledger, and the 五有 checklist."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common
from core.settings import Settings
from models.db import transaction
from services.audit import Actor, AuditAction, record
from services.duties.config import DutyConfigError, load_duties
from services.oversight import departments as dept
from services.oversight.evaluation.config import (
    EvaluationConfig,
    EvaluationConfigError,
    load_evaluation_config,
)
from services.oversight.evaluation.confirmation import (
    AlreadyConfirmed,
    EvaluationOutcome,
    confirm_year,
    evaluation_for_year,
    summary,
)
from services.oversight.evaluation.sheet import evaluation_xlsx
from services.oversight.evaluation.towns import TownHearings, town_hearings
from services.oversight.funding import FundingLedger, funding_ledger, funding_xlsx, ledger_lines

evaluate_app = typer.Typer(
    help="年度网格绩效评定：计算得分、等级与建议奖励并导出 .xlsx；confirm 确认后结果冻结。",
    invoke_without_command=True,
)
funding_app = typer.Typer(
    help="网格运行经费台账：活动经费每个调查对象每年500元（乡镇（街道）承担，按花名册的纳入、"
    "退出日期按天折算）与已确认的评定奖励（市财政承担），分乡镇并列出全市合计。",
    invoke_without_command=True,
)
departments_app = typer.Typer(
    help="部门统计“五有”达标：登记部门、记录各项情况与佐证、输出达标报告。",
    no_args_is_help=True,
)

YearOption = Annotated[int | None, typer.Option("--year", help="评定年度，如 2026")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="评定权重与分档文件（默认随附 evaluation.toml）")
]


def _config(path: Path | None, settings: Settings) -> EvaluationConfig:
    """The evaluation file, with the study target of the configured duties file (the one
    target every surface reads)."""
    try:
        target = load_duties(settings.duties_file).education.yearly_target_hours
        return load_evaluation_config(path, yearly_target_hours=target)
    except (EvaluationConfigError, DutyConfigError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def _year(year: int | None) -> int:
    if year is None:
        typer.echo("请用 --year 指定年度，如 --year 2026。", err=True)
        raise typer.Exit(2)
    if not 2000 <= year <= 2100:
        typer.echo("年度应在 2000–2100 之间。", err=True)
        raise typer.Exit(2)
    return year


@evaluate_app.callback()
def evaluate(
    ctx: typer.Context,
    year: YearOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出 .xlsx 文件")] = None,
    config_file: ConfigOption = None,
) -> None:
    """计算各三级网格的年度得分、等级和建议奖励，写出评定表（已确认的年度输出冻结结果）。"""
    if ctx.invoked_subcommand is not None:
        return
    the_year = _year(year)
    settings = common.settings()
    config = _config(config_file, settings)
    duties = load_duties(settings.duties_file)

    async def work(
        sessions: async_sessionmaker[AsyncSession],
    ) -> tuple[EvaluationOutcome, list[TownHearings]]:
        async with sessions() as session:
            outcome = await evaluation_for_year(
                session=session, year=the_year, config=config, tz=settings.tz
            )
            towns = await town_hearings(
                session=session, year=the_year, duties=duties, tz=settings.tz
            )
            return outcome, towns

    outcome, towns = common.with_sessions(settings, work)
    target = out or Path(f"网格绩效评定_{the_year}.xlsx")
    evaluation_xlsx(outcome, config, target, tz=settings.tz, towns=towns)
    typer.echo(summary(outcome, tz=settings.tz))
    for town in towns:
        score = "—" if town.score is None else f"{town.score:.2f}"
        typer.echo(f"  {town.town_name} 听取汇报 {score} 分：{town.explanation()}")
    typer.echo(f"评定表已保存：{target}")


@evaluate_app.command("confirm")
def evaluate_confirm(
    year: YearOption = None,
    by: Annotated[str, typer.Option("--by", help="确认人（记入评定表）")] = "市统计局",
    out: Annotated[Path | None, typer.Option("--out", help="输出 .xlsx 文件")] = None,
    config_file: ConfigOption = None,
) -> None:
    """确认年度评定结果（市统计局）：结果冻结，此后数据变化不再改变该年度的评定。"""
    the_year = _year(year)
    settings = common.settings()
    config = _config(config_file, settings)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> EvaluationOutcome:
        async with transaction(sessions) as session:
            return await confirm_year(
                session=session,
                year=the_year,
                config=config,
                confirmed_by=by.strip() or "市统计局",
                now=datetime.now(UTC),
                tz=settings.tz,
                actor=Actor.cli(),
            )

    try:
        outcome = common.with_sessions(settings, work)
    except AlreadyConfirmed as exc:
        typer.echo(f"{the_year} 年度评定已确认过，结果已冻结，不能再次确认。", err=True)
        raise typer.Exit(1) from exc
    target = out or Path(f"网格绩效评定_{the_year}_已确认.xlsx")
    evaluation_xlsx(outcome, config, target, tz=settings.tz)
    typer.echo(summary(outcome, tz=settings.tz))
    typer.echo(f"评定表已保存：{target}")


@funding_app.callback()
def funding(
    year: YearOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出 .xlsx 文件")] = None,
    config_file: ConfigOption = None,
) -> None:
    """按乡镇（街道）写出年度经费台账：活动经费（乡镇（街道）承担）、确认奖励（市财政承担）与全市合计。"""
    the_year = _year(year)
    settings = common.settings()
    config = _config(config_file, settings)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> FundingLedger:
        async with sessions() as session:
            return await funding_ledger(
                session=session, year=the_year, config=config, tz=settings.tz
            )

    ledger = common.with_sessions(settings, work)
    target = out or Path(f"网格经费台账_{the_year}.xlsx")
    funding_xlsx(ledger, target)
    for line in ledger_lines(ledger):
        typer.echo(line)
    typer.echo(f"经费台账已保存：{target}")


@departments_app.command("add")
def departments_add(name: Annotated[str, typer.Argument(help="部门名称")]) -> None:
    """登记一个具有全行业管理职能的部门。"""
    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> None:
        async with transaction(sessions) as session:
            await dept.add_department(session=session, name=name)

    try:
        common.with_sessions(settings, work)
    except dept.DepartmentError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"已登记部门：{name.strip()}")


@departments_app.command("set")
def departments_set(
    name: Annotated[str, typer.Argument(help="部门名称")],
    item: Annotated[
        str, typer.Argument(help="项目：" + "，".join(f"{k}={v}" for k, v in dept.ITEMS.items()))
    ],
    met: Annotated[bool, typer.Option("--met/--not-met", help="是否达标")] = True,
    evidence: Annotated[str, typer.Option("--evidence", help="佐证说明（文件号、人员等）")] = "",
    on: Annotated[str, typer.Option("--date", help="核查日期 YYYY-MM-DD（默认今天）")] = "",
) -> None:
    """记录部门某一项“五有”情况（覆盖该项此前的记录）。"""
    settings = common.settings()
    try:
        checked_on = (
            date.fromisoformat(on) if on else datetime.now(UTC).astimezone(settings.tz).date()
        )
    except ValueError as exc:
        typer.echo("日期格式应为 YYYY-MM-DD。", err=True)
        raise typer.Exit(2) from exc

    async def work(sessions: async_sessionmaker[AsyncSession]) -> None:
        async with transaction(sessions) as session:
            await dept.set_item(
                session=session,
                department=name,
                item=item,
                met=met,
                evidence=evidence,
                checked_on=checked_on,
                now=datetime.now(UTC),
            )
            state = "达标" if met else "未达标"
            await record(
                session=session,
                actor=Actor.cli(),
                action=AuditAction.DEPARTMENT_ITEM,
                summary=f"{name} · {dept.ITEMS[item]} · {state}（{checked_on}）{evidence[:100]}",
                now=datetime.now(UTC),
            )

    try:
        common.with_sessions(settings, work)
    except dept.DepartmentError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"已记录：{name} · {dept.ITEMS[item]} · {'达标' if met else '未达标'}（{checked_on}）"
    )


@departments_app.command("report")
def departments_report(
    out: Annotated[Path | None, typer.Option("--out", help="同时写出 .xlsx 文件")] = None,
) -> None:
    """列出“五有”全部达标的部门，以及其余部门所缺项目。"""
    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> list[dept.DepartmentStatus]:
        async with sessions() as session:
            return await dept.department_statuses(session=session)

    statuses = common.with_sessions(settings, work)
    typer.echo(dept.report_text(statuses))
    if out is not None:
        dept.departments_xlsx(statuses, out)
        typer.echo(f"报告已保存：{out}")
