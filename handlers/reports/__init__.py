"""Monthly grid reports in the chat: the /report conversation (compose) and the digest's
[查看] and [已听取汇报] buttons (digest)."""

from handlers.context import GridApplication
from handlers.reports import compose, digest
from models.enums import Role
from services.access import Capability, CommandSpec

COMMANDS = (
    CommandSpec(
        "report",
        "月度网格情况汇报",
        "三级网格长提交本月网格情况汇报（活动、企业报送问题、需要帮助的事项、下月计划），"
        "机器人会根据活动签到、提问和通知记录给出建议。",
        Capability.ORGANISE_ACTIVITIES,
        # Only a level-3 网格长 submits (services/reports/submission.py checks the same).
        roles=frozenset({Role.GRID_HEAD}),
    ),
)


def register(app: GridApplication) -> None:
    app.add_handler(compose.report_conversation())
    digest.register(app)
    # Buttons of a conversation that already ended (submitted, cancelled or timed out).
    for handler in compose.stale_buttons():
        app.add_handler(handler)
