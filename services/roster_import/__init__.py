"""Roster import (`gridbot import`): read 企业/人员 sheets, check every row, apply all or none."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from services.roster_import.apply import apply_roster
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
    *, session: AsyncSession, paths: Sequence[Path], city_name: str
) -> ImportReport:
    """Validate every row of the roster files and, only if all are clean, apply them and commit.

    With any bad row the report lists all errors and the database is left untouched. The roster
    only adds and updates: people, survey objects and assignments absent from the files are left
    alone, so importing just the 人员 sheet later is normal. Raises RosterFileError when a file
    cannot be read as a roster (see `read_roster`).
    """
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
        report = await apply_roster(
            session=session,
            city_name=city_name,
            enterprises=enterprises,
            staff=staff,
            known=known,
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return report
