"""Roster import (`gridbot import`): read 企业/人员 sheets, check every row, apply all or none."""

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from models.roster import any_survey_object, statisticians_on_grid
from services.audit import Actor, AuditAction, record
from services.roster_import.apply import RosterDates, apply_roster
from services.roster_import.read import read_roster
from services.roster_import.report import ImportReport
from services.roster_import.stored import check_against_db
from services.roster_import.validate import (
    Errors,
    check_across_rows,
    check_enterprise,
    check_staff,
    sorted_errors,
)
from services.roster_import.vocabulary import SheetKind


async def import_roster(
    *,
    session: AsyncSession,
    paths: Sequence[Path],
    city_name: str,
    joined_on: date | None = None,
    today: date | None = None,
    partial: bool = False,
    go_live: date | None = None,
    actor: Actor | None = None,
    file_label: str = "",
    preview: bool = False,
) -> ImportReport:
    """Validate every row of the roster files and, only if all are clean, apply them and commit.

    With any bad row the report lists all errors and the database is left untouched. The roster
    adds and updates people and assignments; absent ones are left alone, so importing just the
    人员 sheet later is normal. Survey objects of a town the 企业 sheet lists but that it no
    longer lists are recorded as leaving on `today` (the city's local date; UTC's if
    None), unless the import is `partial`. New objects without 纳入日期 join on `joined_on`
    if given, else on 1 January of `today`'s year at the first import and on `today` later.
    The first import records the city's go-live date: `go_live`, or `today`. With `actor` the
    import is recorded in the audit trail in the same transaction. With `preview` everything is
    applied and counted as usual and then rolled back: the report says what an import would do.
    Raises RosterFileError when a file cannot be read as a roster (see `read_roster`).
    """
    the_day = today or datetime.now(UTC).date()
    roster = await asyncio.to_thread(read_roster, paths)
    errors = Errors()
    enterprises = [
        check_enterprise(sheet, row, errors)
        for sheet in roster.of_kind(SheetKind.ENTERPRISES)
        for row in sheet.rows
    ]
    staff = [
        check_staff(sheet, row, errors)
        for sheet in roster.of_kind(SheetKind.PEOPLE)
        for row in sheet.rows
    ]
    check_across_rows(enterprises, staff, errors)
    try:
        known = await check_against_db(
            session=session, enterprises=enterprises, staff=staff, errors=errors
        )
        if errors.items:
            await session.rollback()
            return ImportReport(errors=sorted_errors(roster, errors.items))
        if joined_on is not None:
            dates = RosterDates(joined_on, "导入时指定的 --joined-on", the_day, partial)
        elif not await any_survey_object(session=session):
            first_day = date(the_day.year, 1, 1)
            dates = RosterDates(first_day, "首次导入，默认为当年1月1日", the_day, partial)
        else:
            dates = RosterDates(the_day, "导入当天", the_day, partial)
        if go_live is not None:
            dates = replace(dates, go_live=go_live, go_live_reason="导入时指定")
        seated = await statisticians_on_grid(session=session)
        report = await apply_roster(
            session=session,
            city_name=city_name,
            enterprises=enterprises,
            staff=staff,
            known=known,
            dates=dates,
        )
        still = await statisticians_on_grid(session=session)
        report.seats_lost = sorted(
            (name for person_id, name in seated.items() if person_id not in still),
        )
        if preview:
            await session.rollback()
            return report
        if actor is not None:
            await record(
                session=session,
                actor=actor,
                action=AuditAction.ROSTER_IMPORT,
                summary=audit_summary(report, file_label or ", ".join(p.name for p in paths)),
                now=datetime.now(UTC),
            )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return report


def audit_summary(report: ImportReport, file_label: str) -> str:
    return (
        f"{file_label}：新建乡镇街道 {report.towns_created} 个；企业新增 "
        f"{report.enterprises_created}、更新 {report.enterprises_updated}、未变 "
        f"{report.enterprises_unchanged} 家；人员新增 {report.people_created} 人；岗位新增 "
        f"{report.assignments_created}、调整 {report.assignments_updated} 个"
    )
