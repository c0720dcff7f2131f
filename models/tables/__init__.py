"""The schema's registry: every table (one module per feature), timestamps in aware UTC."""

# Importing every table module here is what puts all tables on SQLModel.metadata (alembic,
# create_all), and lets `from models.tables import X` name any table.

from models.tables.activities import Activity, ActivityGrid, Attendance
from models.tables.audit import AuditEntry, PhoneAttempt
from models.tables.chase import ChaseImport, ChaseItem
from models.tables.columns import utcnow
from models.tables.conversations import ConversationState
from models.tables.duties import ReminderClaim
from models.tables.evaluation import Department, DepartmentCheck, EvaluationResult, EvaluationRun
from models.tables.limits import CheckinCode, CheckinCodeFill, RateSlot
from models.tables.notices import Notice, NoticeRecipient
from models.tables.outbox import OutboxMessage
from models.tables.preferences import PersonPreference
from models.tables.questions import FaqCandidate, Question, QuestionPost
from models.tables.reports import MonthlyReport, ReportHearing
from models.tables.roster import (
    Assignment,
    Grid,
    Invite,
    Person,
    SurveyObject,
    TelegramBinding,
    still_on_grid,
)
from models.tables.study import StudyRecord
from models.tables.uploads import AdminUpload
from models.tables.webhook import WebhookUpdate

__all__ = [
    "Activity",
    "ActivityGrid",
    "AdminUpload",
    "Assignment",
    "Attendance",
    "AuditEntry",
    "ChaseImport",
    "ChaseItem",
    "CheckinCode",
    "CheckinCodeFill",
    "ConversationState",
    "Department",
    "DepartmentCheck",
    "EvaluationResult",
    "EvaluationRun",
    "FaqCandidate",
    "Grid",
    "Invite",
    "MonthlyReport",
    "Notice",
    "NoticeRecipient",
    "OutboxMessage",
    "Person",
    "PersonPreference",
    "PhoneAttempt",
    "Question",
    "QuestionPost",
    "RateSlot",
    "ReminderClaim",
    "ReportHearing",
    "StudyRecord",
    "SurveyObject",
    "TelegramBinding",
    "WebhookUpdate",
    "still_on_grid",
    "utcnow",
]
