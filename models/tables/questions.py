"""Questions to instructors, their threads, and answers proposed for the knowledge base."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import CandidateStatus, QuestionStatus
from models.tables.columns import enum_column, tz_column, utcnow


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
        default=QuestionStatus.OPEN, sa_column=enum_column(QuestionStatus)
    )
    # When the current wait for an answer began (filing or a follow-up): the SLA clock.
    waiting_since: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class QuestionPost(SQLModel, table=True):
    """One message in a question's thread: the question, a reply, a follow-up, a hand-over."""

    __tablename__ = "question_post"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    # "question", "answer", "followup", "transfer"
    kind: str = Field(max_length=16)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class FaqCandidate(SQLModel, table=True):
    """An instructor's answer proposed for the knowledge base; searchable once approved."""

    __tablename__ = "faq_candidate"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int | None = Field(default=None, foreign_key="question.id", index=True)
    question: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    answer: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    author_id: int = Field(foreign_key="person.id")
    status: CandidateStatus = Field(
        default=CandidateStatus.PENDING, sa_column=enum_column(CandidateStatus)
    )
    reviewed_by: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
