"""Fixtures of the notice rules' tests."""

import pytest

from models.db import transaction
from models.tables import TelegramBinding
from tests.conftest import SmallCity
from tests.services.notices.bound_city import CHATS, Sessions


@pytest.fixture
async def city(sessions: Sessions, small_city: SmallCity) -> SmallCity:
    """The small city with everybody but the town heads and the admin bound."""
    async with transaction(sessions) as session:
        for key, chat_id in CHATS.items():
            session.add(
                TelegramBinding(person_id=small_city.person_id(key), telegram_user_id=chat_id)
            )
    return small_city
