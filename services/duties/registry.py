"""Which duties the engine runs: one list, built once at start-up from the validated duties file
and the settings (the order is the order reminders are claimed in a run)."""

from core.settings import Settings
from knowledge.base import KnowledgeBase
from services.duties.base import Duty
from services.duties.config import DutiesConfig
from services.duties.education import EducationDuty
from services.duties.law_tip import LawTipDuty
from services.duties.monthly_report import MonthlyReportDuty
from services.duties.quarterly_activity import QuarterlyActivityDuty
from services.duties.reporting_deadlines import ReportingDeadlineDuty
from services.duties.sla import NoticeUnreadDuty, QuestionSlaDuty


def build_duties(
    *, config: DutiesConfig, settings: Settings, knowledge: KnowledgeBase | None
) -> list[Duty]:
    """Every enabled duty. `knowledge` feeds the weekly law tip (None: tools that only read,
    which then leave the tip out)."""
    tz = settings.tz
    send_time = config.engine.send_time
    duties: list[Duty] = [QuestionSlaDuty(settings=settings), NoticeUnreadDuty(settings=settings)]
    if config.monthly_report.enabled:
        duties.append(MonthlyReportDuty(config.monthly_report, send_time=send_time, tz=tz))
    if config.quarterly_activity.enabled:
        duties.append(QuarterlyActivityDuty(config.quarterly_activity, send_time=send_time, tz=tz))
    if config.reporting_deadlines.enabled:
        # Reads and validates the calendar file now: a broken calendar stops the start.
        duties.append(ReportingDeadlineDuty(config, tz=tz))
    if config.education.enabled:
        duties.append(EducationDuty(config, tz=tz))
    if config.law_tip.enabled and knowledge is not None:
        duties.append(LawTipDuty(config, tz=tz, tips=knowledge.tips()))
    return duties
