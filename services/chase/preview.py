"""A sent export up to its preview: read (all or nothing), matched, planned, stored, described."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import chase as queries
from models.tables.chase import PlatformStatus
from services.access import Viewer
from services.chase import texts
from services.chase.applying import ConfirmResult
from services.chase.importing import Matched, Plan, Skipped, match_export, plan_import, store_import
from services.chase.messages import period_label
from services.chase.reading import ChaseFileError, read_export

MAX_LISTED = 30
MAX_PROBLEMS = 40


@dataclass(frozen=True)
class Preview:
    text: str
    # None: nothing to chase (the text says why), so no [确认催报].
    import_id: int | None


def refusal(file_name: str, error: ChaseFileError) -> str:
    problems = error.problems
    lines = [texts.FILE_REFUSED.format(name=esc(file_name), count=len(problems))]
    lines += [esc(p) for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        lines.append(texts.TOO_MANY_PROBLEMS.format(count=len(problems) - MAX_PROBLEMS))
    return "\n".join(lines)


def _skipped(heading: str, skipped: Sequence[Skipped]) -> list[str]:
    if not skipped:
        return []
    lines = ["", heading.format(count=len(skipped))]
    lines += [
        texts.PREVIEW_SKIPPED_LINE.format(row=s.row, name=esc(s.name), reason=esc(s.reason))
        for s in skipped[:MAX_LISTED]
    ]
    if len(skipped) > MAX_LISTED:
        lines.append(texts.PREVIEW_MORE.format(count=len(skipped) - MAX_LISTED))
    return lines


async def _unreachable(session: AsyncSession, matched: Matched, plan: Plan) -> int:
    keepers = {matched.objects[r.object_id].statistician_id for r in plan.open_rows}
    people = await queries.statisticians(
        session=session, person_ids={k for k in keepers if k is not None}
    )
    return sum(1 for person, account in people.values() if account is None or person.unreachable_at)


def describe(
    *, period: str, file_name: str, rows: int, matched: Matched, plan: Plan, unreachable: int
) -> str:
    open_rows = plan.open_rows
    lines = [
        texts.PREVIEW_HEADING.format(period=period_label(period), name=esc(file_name)),
        texts.PREVIEW_SOURCE,
        "",
        texts.PREVIEW_COUNTS.format(
            rows=rows,
            items=len(open_rows),
            objects=len({r.object_id for r in open_rows}),
            people=len({matched.objects[r.object_id].statistician_id for r in open_rows}),
        ),
        *(
            texts.PREVIEW_STATUS_LINE.format(status=s.value, count=plan.statuses[s])
            for s in PlatformStatus
            if plan.statuses[s]
        ),
        texts.PREVIEW_NEW.format(
            new=len(plan.new) + len(plan.reopened),
            kept=len(plan.kept),
            resolved=len(plan.resolved),
        ),
    ]
    if plan.discrepancies:
        lines.append(texts.PREVIEW_DISCREPANCIES.format(count=len(plan.discrepancies)))
    if unreachable:
        lines.append(texts.PREVIEW_UNREACHABLE.format(count=unreachable))
    lines += _skipped(texts.PREVIEW_UNMATCHED, matched.unmatched)
    lines += _skipped(texts.PREVIEW_OUT_OF_SCOPE, matched.out_of_scope)
    if not open_rows and not plan.resolved:
        lines += ["", texts.PREVIEW_NOTHING]
    return "\n".join(lines)


async def prepare_import(
    *,
    session: AsyncSession,
    file_name: str,
    data: bytes,
    period: str | None,
    viewer: Viewer | None,
    now: datetime,
    tz: tzinfo,
) -> Preview:
    """Read, match and plan the export and store it awaiting [确认催报], in the caller's
    transaction. Raises ChaseFileError (every problem listed) when any row is wrong."""
    export = await asyncio.to_thread(
        read_export, file_name=file_name, data=data, period=period, tz=tz
    )
    matched = await match_export(session=session, export=export, viewer=viewer)
    plan = await plan_import(
        session=session, period=export.period, rows=matched.rows, scope_ids=matched.scope_ids
    )
    text = describe(
        period=export.period,
        file_name=file_name,
        rows=len(export.rows),
        matched=matched,
        plan=plan,
        unreachable=await _unreachable(session, matched, plan),
    )
    if not plan.open_rows and not plan.resolved:
        return Preview(text, None)
    stored = await store_import(
        session=session,
        period=export.period,
        file_name=file_name,
        importer_id=None if viewer is None else viewer.person_id,
        rows=matched.rows,
        now=now,
    )
    assert stored.id is not None
    return Preview(text, stored.id)


def result_text(result: ConfirmResult, tz: tzinfo, now: datetime) -> str:
    plan = result.plan
    lines = [texts.RESULT_HEADING.format(period=period_label(result.period))]
    if result.day is not None and result.day != now.astimezone(tz).date():
        lines.append(
            texts.RESULT_COUNTS.format(
                people=result.chased_people,
                messages=result.messages,
                when=f"{result.day.month}月{result.day.day}日",
                skipped=result.already_today,
            )
        )
    else:
        lines.append(
            texts.RESULT_COUNTS_NOW.format(
                people=result.chased_people, messages=result.messages, skipped=result.already_today
            )
        )
    lines.append(
        texts.RESULT_RESOLVED.format(
            count=len(plan.resolved),
            kept=len(plan.kept) + len(plan.discrepancies),
            new=len(plan.new) + len(plan.reopened),
        )
    )
    if result.unreachable:
        lines.append(texts.PREVIEW_UNREACHABLE.format(count=result.unreachable))
    if result.discrepancies:
        lines += ["", texts.RESULT_DISCREPANCY_HEADING]
        lines += [
            texts.RESULT_DISCREPANCY_LINE.format(
                name=esc(name),
                form=esc(form),
                declared=declared,
                when=f"{at.astimezone(tz):%m-%d %H:%M}",
            )
            for name, form, declared, at in result.discrepancies
        ]
    return "\n".join(lines)
