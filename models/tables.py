"""SQLModel tables: the grid tree, survey objects, people, role assignments, Telegram bindings,
invitations and the outbox. Every timestamp is timezone-aware UTC."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import (
    ActivityKind,
    AttendanceStatus,
    CandidateStatus,
    CheckinMethod,
    GridLevel,
    Industry,
    OutboxStatus,
    QuestionStatus,
    ReminderStatus,
    Role,
    Scale,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class _IntEnumType(sa.TypeDecorator[GridLevel]):
    """Stores GridLevel as a small integer and reads it back as GridLevel."""

    impl = sa.SmallInteger
    cache_ok = True

    def process_bind_param(self, value: GridLevel | None, _dialect: sa.Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, _dialect: sa.Dialect) -> GridLevel | None:
        return None if value is None else GridLevel(value)


def _enum_column(enum: type[StrEnum], *, nullable: bool = False) -> sa.Column[Any]:
    # Store the Chinese values as VARCHAR: readable in SQL and no PostgreSQL enum types to migrate.
    return sa.Column(
        sa.Enum(
            enum,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=nullable,
    )


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would hand back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tz_column(*, nullable: bool, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


class Grid(SQLModel, table=True):
    """A node of the grid tree: the city (level 1), a town (level 2) or a level-3 grid."""

    id: int | None = Field(default=None, primary_key=True)
    level: GridLevel = Field(sa_column=sa.Column(_IntEnumType(), nullable=False, index=True))
    name: str = Field(max_length=100, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    # Level-3 only: the industry of a single-industry grid; None for a cross-industry grid.
    industry: Industry | None = Field(default=None, sa_column=_enum_column(Industry, nullable=True))
    # Level-3 only: the running number of the grid inside its town and kind (工业网格1, 2, ...).
    seq: int | None = None
    cross_town: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class SurveyObject(SQLModel, table=True):
    """An enterprise (统计调查对象) and who keeps its statistics."""

    __tablename__ = "survey_object"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    uscc: str = Field(max_length=18, unique=True)
    industry: Industry = Field(sa_column=_enum_column(Industry))
    scale: Scale = Field(sa_column=_enum_column(Scale))
    town_id: int = Field(foreign_key="grid.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    statistician_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class Person(SQLModel, table=True):
    """A human on the roster, identified by mainland mobile number."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    mobile: str = Field(max_length=11, unique=True)
    # False once replaced by `gridbot people rebind`; kept for history.
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))
    # Set when Telegram refused a message to them (they blocked the bot): the outbox stops
    # sending to them until they unblock it.
    unreachable_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    unreachable_reason: str | None = Field(default=None, max_length=200)


class Assignment(SQLModel, table=True):
    """A staff role held by a person on a grid.

    网格员 is not stored here: it follows from being the statistician of a survey object.
    A level-3 role whose grid is still the town (level 2) awaits placement by the partition.
    """

    __table_args__ = (
        # A person holds a role on a grid at most once at a time; concurrent imports or
        # partitions cannot duplicate it.
        sa.Index(
            "uq_assignment_live",
            "person_id",
            "grid_id",
            "role",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    grid_id: int = Field(foreign_key="grid.id", index=True)
    role: Role = Field(sa_column=_enum_column(Role))
    # True when the roster named the grid: the partition never moves explicit assignments.
    explicit: bool = False
    started_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))


class TelegramBinding(SQLModel, table=True):
    """Which Telegram account speaks for a person; ended bindings stay as history."""

    __tablename__ = "telegram_binding"
    __table_args__ = (
        # At most one live binding per person and per Telegram account; the database enforces
        # it so that two simultaneous /start calls cannot both win.
        sa.Index(
            "uq_binding_live_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index(
            "uq_binding_live_telegram",
            "telegram_user_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    telegram_user_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    invite_id: int | None = Field(default=None, foreign_key="invite.id")
    bound_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))


class Invite(SQLModel, table=True):
    """A single-use onboarding token; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=_tz_column(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    used_by_telegram_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own initiative, written in the transaction that caused
    it and delivered by the outbox worker (one row is one Telegram message)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The worker's claim: due pending rows, oldest first.
        sa.Index("ix_outbox_message_due", "status", "not_before"),
        # Messages to one chat go out in order: a row waits while an older one of its chat
        # is still pending or being sent.
        sa.Index("ix_outbox_message_chat", "chat_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    # The recipient on the roster, when there is one: Telegram refusing the message marks
    # this person unreachable.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # What feature sent it ("notice", "alert", ...): for logs and delivery reports.
    kind: str = Field(max_length=32)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    parse_mode: str | None = Field(default="HTML", max_length=16)
    reply_markup: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(none_as_null=True), nullable=True)
    )
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_column=_enum_column(OutboxStatus))
    # Sending attempts that failed for a reason worth counting (network, 5xx); flood waits
    # (429) do not count.
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    telegram_message_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    # Lets a caller make an enqueue idempotent: a second message with the same key is dropped.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    # What the message belongs to ("notice:12", "activity:3"): delivery counts per notice.
    ref: str | None = Field(default=None, max_length=64, index=True)
    # A photo or document sent by Telegram file_id, with `text` as its caption.
    media_kind: str | None = Field(default=None, max_length=16)
    media_file_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


# --- Activities and check-in ---------------------------------------------------------------


class Activity(SQLModel, table=True):
    """A grid activity (学习、交流、探讨、团建 ...) with its check-in window."""

    id: int | None = Field(default=None, primary_key=True)
    kind: ActivityKind = Field(sa_column=_enum_column(ActivityKind))
    title: str = Field(max_length=100)
    starts_at: datetime = Field(sa_column=_tz_column(nullable=False, index=True))
    ends_at: datetime = Field(sa_column=_tz_column(nullable=False))
    place: str = Field(max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    # Check-in by location must be within this many metres of (latitude, longitude).
    radius_m: int | None = None
    organiser_id: int = Field(foreign_key="person.id", index=True)
    # Seeds the rotating check-in code (HMAC of the current time step); never shown.
    code_secret: str = Field(max_length=64)
    # SHA-256 of the token in the activity's check-in link (?start=ci_<token>).
    link_token_hash: str = Field(max_length=64, unique=True)
    cancelled_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class ActivityGrid(SQLModel, table=True):
    """A level-3 grid an activity is for: its members are invited and may check in."""

    __tablename__ = "activity_grid"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    grid_id: int = Field(foreign_key="grid.id", primary_key=True, index=True)


class Attendance(SQLModel, table=True):
    """A person's check-in or recorded leave for an activity (one row per person)."""

    __table_args__ = (sa.UniqueConstraint("activity_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: AttendanceStatus = Field(sa_column=_enum_column(AttendanceStatus))
    method: CheckinMethod | None = Field(
        default=None, sa_column=_enum_column(CheckinMethod, nullable=True)
    )
    checked_in_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    leave_reason: str | None = Field(default=None, max_length=200)
    recorded_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


# --- Questions to instructors -------------------------------------------------------------


class Question(SQLModel, table=True):
    """A member's question to their grid's instructor, and where it stands."""

    id: int | None = Field(default=None, primary_key=True)
    asker_id: int = Field(foreign_key="person.id", index=True)
    # The asker's level-3 grid the question was filed in (decides who may answer).
    grid_id: int = Field(foreign_key="grid.id", index=True)
    # Who is expected to answer now (the instructor, the 副网格长 as backup, or whoever it
    # was handed on to).
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: QuestionStatus = Field(
        default=QuestionStatus.OPEN, sa_column=_enum_column(QuestionStatus)
    )
    # When the current wait for an answer began (filing or a follow-up): the SLA clock.
    waiting_since: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class QuestionPost(SQLModel, table=True):
    """One message in a question's thread: the question, a reply, a follow-up, a hand-over."""

    __tablename__ = "question_post"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    # "question", "answer", "followup", "transfer"
    kind: str = Field(max_length=16)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class FaqCandidate(SQLModel, table=True):
    """An instructor's answer proposed for the knowledge base; searchable once approved."""

    __tablename__ = "faq_candidate"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int | None = Field(default=None, foreign_key="question.id", index=True)
    question: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    answer: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    author_id: int = Field(foreign_key="person.id")
    status: CandidateStatus = Field(
        default=CandidateStatus.PENDING, sa_column=_enum_column(CandidateStatus)
    )
    reviewed_by: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


# --- Notices ------------------------------------------------------------------------------


class Notice(SQLModel, table=True):
    """A notice sent to many people, each asked to confirm it with [已阅]."""

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # "photo" or "document", sent by Telegram file_id with the text as caption.
    media_kind: str | None = Field(default=None, max_length=16)
    media_file_id: str | None = Field(default=None, max_length=255)
    # How the target reads to people ("虹桥镇全体", "我的网格 · 网格员").
    target_label: str = Field(max_length=200)
    # When the sender last pressed [提醒未读] (at most once an hour).
    reminded_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class NoticeRecipient(SQLModel, table=True):
    """One person's copy of a notice and whether they confirmed it."""

    __tablename__ = "notice_recipient"
    __table_args__ = (sa.UniqueConstraint("notice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    chat_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    confirmed_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    reminders: int = 0
    last_reminded_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))


# --- Reminders ----------------------------------------------------------------------------


class ReminderClaim(SQLModel, table=True):
    """A reminder that was decided: claimed by its unique key before it is queued, so a
    restart, a catch-up or a second process never sends it twice."""

    __tablename__ = "reminder_claim"
    __table_args__ = (
        sa.UniqueConstraint("duty", "target", "period", "step"),
        # A duty reads its claims of one period and step (or checks one target in it): over
        # the years a weekly duty gathers millions of claims, so the period leads here.
        sa.Index("ix_reminder_claim_period", "duty", "period", "step", "target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    duty: str = Field(max_length=32)
    # Who or what it is about ("person:12", "question:7", "grid:3").
    target: str = Field(max_length=64)
    # Which occurrence ("2026-12", "2026Q4", "" for one-off things).
    period: str = Field(max_length=32)
    step: str = Field(max_length=32)
    status: ReminderStatus = Field(sa_column=_enum_column(ReminderStatus))
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


# --- Continuing education and personal settings --------------------------------------------


class StudyRecord(SQLModel, table=True):
    """Hours of 统计继续教育 a person took part in, recorded by them (/study) or imported."""

    __tablename__ = "study_record"
    __table_args__ = (
        # An imported row is identified by person, day and topic: importing the same file again
        # adds nothing, even when two admins run it at once.
        sa.Index(
            "uq_study_record_import",
            "person_id",
            "studied_on",
            "topic",
            unique=True,
            sqlite_where=sa.text("source = 'import'"),
            postgresql_where=sa.text("source = 'import'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    studied_on: date = Field(index=True)
    topic: str = Field(max_length=100)
    # Half hours are exact in binary floating point, and hours come in steps of 0.5.
    hours: float
    # "self" (/study) or "import" (gridbot study import).
    source: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class PersonPreference(SQLModel, table=True):
    """A person's own choices in /settings; no row means every default."""

    __tablename__ = "person_preference"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    law_tip_opt_out: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


# --- Monthly grid reports and the town's hearing --------------------------------------------


class MonthlyReport(SQLModel, table=True):
    """A level-3 网格长's monthly report on their grid (情况汇报) for one period "YYYY-MM".

    One per grid and period: submitting again before the town's digest replaces the report;
    after the digest a missing report is still accepted but marked late, and a report the
    digest already carried is no longer changed (the town leaders have read it).
    """

    __tablename__ = "monthly_report"
    __table_args__ = (sa.UniqueConstraint("grid_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    grid_id: int = Field(foreign_key="grid.id", index=True)
    period: str = Field(max_length=7, index=True)
    author_id: int = Field(foreign_key="person.id", index=True)
    # The four parts of the report, as the 网格长 wrote or accepted them.
    activities: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    problems: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    help_needed: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    plan: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # Submitted after the town's digest was due: listed as late in the status.
    late: bool = False
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class ReportHearing(SQLModel, table=True):
    """The town's 二级网格长 confirming [已听取汇报] for a period: the policy's monthly hearing."""

    __tablename__ = "report_hearing"
    __table_args__ = (sa.UniqueConstraint("town_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    town_id: int = Field(foreign_key="grid.id", index=True)
    period: str = Field(max_length=7)
    confirmed_by: int = Field(foreign_key="person.id")
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


# --- Annual evaluation and the 五有 checklist -------------------------------------------------


class EvaluationRun(SQLModel, table=True):
    """A year's grid evaluation confirmed by 市统计局: its results are frozen from then on."""

    __tablename__ = "evaluation_run"

    id: int | None = Field(default=None, primary_key=True)
    # One confirmed evaluation per year; a second confirmation loses on this constraint.
    year: int = Field(unique=True)
    # The weights and thresholds the results were computed with (the TOML file, parsed).
    config: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON(), nullable=False))
    confirmed_by: str = Field(max_length=100)
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class EvaluationResult(SQLModel, table=True):
    """One level-3 grid's frozen score, grade and reward in a confirmed evaluation."""

    __tablename__ = "evaluation_result"
    __table_args__ = (sa.UniqueConstraint("run_id", "grid_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="evaluation_run.id", index=True)
    grid_id: int = Field(foreign_key="grid.id", index=True)
    # Names as they were at confirmation: a later rename does not rewrite the decision.
    grid_name: str = Field(max_length=100)
    town_id: int = Field(foreign_key="grid.id", index=True)
    town_name: str = Field(max_length=100)
    score: float
    grade: str = Field(max_length=8)
    reward_yuan: int
    # Each component's measured value, ratio and points, as shown in the evaluation sheet.
    components: list[dict[str, Any]] = Field(sa_column=sa.Column(sa.JSON(), nullable=False))


class Department(SQLModel, table=True):
    """A department with industry-statistics duties, checked against the 五有 standard."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))


class DepartmentCheck(SQLModel, table=True):
    """Where a department stands on one of the five items, with the evidence and its date."""

    __tablename__ = "department_check"
    __table_args__ = (sa.UniqueConstraint("department_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    # One of services.oversight.departments.ITEMS ("leader", "office", "network", "team",
    # "rules").
    item: str = Field(max_length=16)
    met: bool
    evidence: str = Field(default="", max_length=500)
    checked_on: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column(nullable=False))
