"""The question log: each question filed, who it went to, its first answer and when it closed."""

from datetime import tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import exports as queries
from services.duties.status import Scope
from services.oversight import texts
from services.oversight.ledgers.sheets import Rows, Sheet, hours, local
from services.oversight.periods import Period


async def question_sheets(
    *, session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    start, end = period.bounds(tz)
    places = await queries.grid_places(session=session)
    towns = await queries.town_names(session=session)
    answers = await queries.first_answers(session=session, start=start, end=end)
    asked = await queries.questions_created(session=session, start=start, end=end)
    assignees = await queries.person_names(
        session=session, person_ids={q.assignee_id for q, _ in asked if q.assignee_id}
    )
    rows: Rows = []
    for question, asker in asked:
        assert question.id is not None
        place = places.get(question.grid_id)
        if place is None:
            # A question filed on a town node (asked of its 分管负责人).
            town_id, grid_name = question.grid_id, ""
            covered = scope.town_ids is None or town_id in scope.whole_towns
        else:
            town_id, grid_name = place.town_id, place.grid_name
            covered = scope.covers(place.town_id, place.grid_id)
        if not covered:
            continue
        answer = answers.get(question.id)
        rows.append(
            [
                question.id,
                local(question.created_at, tz),
                towns.get(town_id, ""),
                grid_name,
                asker,
                question.text,
                question.status.value,
                assignees.get(question.assignee_id) if question.assignee_id else None,
                answer[1] if answer else None,
                local(answer[0].created_at, tz) if answer else None,
                hours(question.created_at, answer[0].created_at) if answer else None,
                answer[0].body if answer else None,
                local(question.closed_at, tz),
            ]
        )
    return [(texts.EXPORT_SHEET_QUESTIONS, texts.EXPORT_QUESTION_HEADERS, rows)], len(rows)
