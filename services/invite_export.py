"""`gridbot invites export`: one personal onboarding link per person, as an .xlsx sheet.

Issuing revokes the people's earlier links and stores only hashes of the new ones, so the file
is the only copy: the caller writes it (`write_invites`) before it commits, and a failed write
rolls the new links back, leaving the old ones valid.
"""

import contextlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import deep_link
from models import people
from services.onboarding import issue_invites, viewers_for
from services.xlsx import write_sheet

HEADERS = ("姓名", "手机", "角色", "网格", "邀请链接", "有效期至")


@dataclass(frozen=True)
class InviteRow:
    name: str
    mobile: str
    roles: str
    grids: str
    link: str
    expires_at: datetime


async def export_invites(
    *,
    session: AsyncSession,
    bot_username: str,
    ttl: timedelta,
    now: datetime,
    include_bound: bool = False,
) -> list[InviteRow]:
    """Issue fresh links for everyone not yet bound (or everyone) and return the rows.

    The caller commits; earlier unused links of the same people stop working.
    """
    persons = await people.people_for_invites(session=session, include_bound=include_bound)
    viewers = await viewers_for(session=session, persons=persons)
    issued = await issue_invites(session=session, persons=persons, ttl=ttl, now=now)
    rows: list[InviteRow] = []
    for invite in issued:
        assert invite.person.id is not None
        posts = viewers[invite.person.id].posts
        rows.append(
            InviteRow(
                name=invite.person.name,
                mobile=invite.person.mobile,
                roles="、".join(dict.fromkeys(post.role.value for post in posts)),
                grids="、".join(dict.fromkeys(post.grid_name for post in posts)),
                link=deep_link(bot_username, invite.token),
                expires_at=invite.expires_at,
            )
        )
    return rows


def write_invites(rows: list[InviteRow], path: Path, tz: ZoneInfo) -> Path:
    """Write the sheet to a temporary file beside `path`, then rename it into place: `path` is
    either the whole new sheet or untouched. OSError (folder missing, disk full) passes on."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "邀请链接"
    write_sheet(
        sheet,
        HEADERS,
        [
            (
                row.name,
                row.mobile,
                row.roles,
                row.grids,
                row.link,
                row.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            )
            for row in rows
        ],
    )
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path
