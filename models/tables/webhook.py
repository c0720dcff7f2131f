"""Webhook updates already received: Telegram delivers again whatever it saw no 2xx for."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column


class WebhookUpdate(SQLModel, table=True):
    """One update_id taken from the webhook; a second delivery of it is ignored. Rows older
    than Telegram keeps an update (24 hours) are pruned."""

    __tablename__ = "webhook_update"

    update_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False)
    )
    received_at: datetime = Field(sa_column=tz_column(nullable=False, index=True))
