"""Which duties the engine runs: one list of every feature's duties, built once at start-up by
bot/ from the validated duties file and the settings (the order is the order reminders are
claimed in a run). It imports every feature, so it sits beside them, not in services.duties."""

from core.settings import Settings
from knowledge.base import KnowledgeBase
from services.chase.escalation import ChaseEscalationDuty
from services.duties.base import Duty
from services.duties.config import DutiesConfig
from services.duties.education import EducationDuty
from services.duties.law_tip import LawTipDuty
from services.duties.reporting_deadlines import ReportingDeadlineDuty
from services.notices.unread_duty import NoticeUnreadDuty
from services.questions.sla_duty import QuestionSlaDuty
from services.reports.monthly_duty import MonthlyReportDuty
from services.reports.quarterly_activity import QuarterlyActivityDuty


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
    if config.chase.enabled:
        duties.append(ChaseEscalationDuty(config.chase, tz=tz))
    return duties
