"""The activity limits are the database's, and at them every message showing an activity fits
Telegram's limits: the QR caption (1024), the summary and the invitation (4096)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.formatting import CAPTION_LIMIT, TEXT_LIMIT, rendered_len
from models.enums import ActivityKind
from models.tables import Activity
from services.activities import texts
from services.activities.codes import checkin_link
from services.activities.parsing import PLACE_MAX, REASON_MAX, TITLE_MAX

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _longest() -> Activity:
    starts = datetime(2026, 12, 3, 6, tzinfo=UTC)
    return Activity(
        kind=ActivityKind.STUDY,
        title="&" * TITLE_MAX,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="<" * PLACE_MAX,
        organiser_id=1,
        code_secret="ab" * 32,
        link_token_hash="h" * 64,
        latitude=28.1,
        longitude=120.9,
    )


def test_the_limits_are_the_columns() -> None:
    assert (TITLE_MAX, PLACE_MAX, REASON_MAX) == (100, 200, 200)
    assert str(TITLE_MAX) in texts.ACT_TITLE_BAD
    assert str(PLACE_MAX) in texts.ACT_PLACE_BAD
    assert str(REASON_MAX) in texts.LEAVE_REASON_BAD


def test_the_longest_activity_fits_every_message() -> None:
    activity = _longest()
    link = checkin_link("a" * 32 + "_bot", activity)
    caption = texts.PANEL_QR_CAPTION.format(name=texts.activity_name(activity), link=link)
    assert rendered_len(caption) <= CAPTION_LIMIT
    grids = ["网" * 100] * 200  # a city-wide activity
    summary = texts.activity_summary(
        kind=activity.kind.value,
        title=activity.title,
        when="12月3日（周四）14:00-16:00",
        place=activity.place,
        located=True,
        grids=grids,
    )
    assert rendered_len(summary) <= TEXT_LIMIT
    assert summary.endswith("（全文见附件/详情）")
    for text in (
        texts.checkin_too_far(activity, 99_999.0, 99_999),
        texts.activity_absent_reminder(activity, organiser="名" * 50, tz=SHANGHAI),
        texts.open_activity_line(activity, SHANGHAI),
    ):
        assert rendered_len(text) <= TEXT_LIMIT
