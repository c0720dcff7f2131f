"""/stats for a viewer who leads many towns, with the longest names: the text fits a message
(cut with …（全文见附件/详情）) and the chart caption fits a caption, as Telegram counts."""

from datetime import UTC, datetime

from core.formatting import CAPTION_LIMIT, TEXT_LIMIT, TRUNCATED_MARK, rendered_len, utf16_len
from services.duties.status import Scope
from services.oversight.periods import parse_period
from services.oversight.scorecard import CityScorecard, GridScorecard, Tally, TownScorecard
from services.oversight.stats import render


def test_many_whole_towns_fit_a_message_and_a_caption() -> None:
    towns = tuple(
        TownScorecard(
            town_id=t,
            town_name=f"{t:02d}" + "𝕏" * 98,  # astral: two UTF-16 units each
            grids=tuple(
                GridScorecard(
                    grid_id=t * 100 + g,
                    grid_name=f"{t}-{g}" + "网" * 90,
                    town_id=t,
                    town_name=str(t),
                    tally=Tally(),
                )
                for g in range(5)
            ),
            tally=Tally(),
            hearings_due=1,
            hearings_confirmed=0,
        )
        for t in range(12)
    )
    card = CityScorecard(
        period=parse_period("2026-11"),
        towns=towns,
        tally=Tally(),
        target_hours=24,
        at=datetime(2026, 12, 3, tzinfo=UTC),
    )
    scope = Scope(town_ids=frozenset(range(12)), whole_towns=frozenset(range(12)))
    view = render(card, scope, tz=UTC)
    assert rendered_len(view.text) <= TEXT_LIMIT
    assert view.text.endswith(TRUNCATED_MARK)
    assert utf16_len(view.caption) <= CAPTION_LIMIT
    assert view.caption.endswith(TRUNCATED_MARK)
