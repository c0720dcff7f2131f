"""Every duty the engine can run has a Chinese name for `gridbot duties preview` and /duties."""

import pytest

from services.duties.education import EducationDuty
from services.duties.law_tip import LawTipDuty
from services.duties.reporting_deadlines import ReportingDeadlineDuty
from services.duties.texts import DUTY_NAMES
from services.notices.unread_duty import NoticeUnreadDuty
from services.questions.sla_duty import QuestionSlaDuty
from services.reports.monthly_duty import MonthlyReportDuty
from services.reports.quarterly_activity import QuarterlyActivityDuty


@pytest.mark.parametrize(
    "duty",
    [
        QuestionSlaDuty,
        NoticeUnreadDuty,
        MonthlyReportDuty,
        QuarterlyActivityDuty,
        ReportingDeadlineDuty,
        EducationDuty,
        LawTipDuty,
    ],
)
def test_each_duty_has_a_chinese_name(duty: type) -> None:
    assert DUTY_NAMES.get(duty.name, "").strip()
