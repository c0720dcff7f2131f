"""Files an admin sent in the chat (the roster, study hours), held between their preview and
[确认导入]."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column


class AdminUpload(SQLModel, table=True):
    """One file an admin sent: nothing of it is applied before confirmation. A roster's
    fingerprint is the roster's state when it was previewed; a confirmation against another
    state is refused (the preview is stale). The file is dropped once decided."""

    __tablename__ = "admin_upload"

    id: int | None = Field(default=None, primary_key=True)
    importer_id: int = Field(foreign_key="person.id", index=True)
    # "roster" or "study".
    kind: str = Field(max_length=12, default="roster")
    file_name: str = Field(max_length=200)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    fingerprint: str = Field(max_length=200)
    # "pending", "confirmed", "cancelled".
    state: str = Field(max_length=12, default="pending")
    created_at: datetime = Field(sa_column=tz_column(nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
