"""The typed PTB context: services live on BotData, created in post_init."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from core.settings import Settings
from knowledge.base import KnowledgeBase
from services.access import CommandSpec
from services.duties.base import Duty
from services.duties.config import DutiesConfig
from services.outbox.worker import OutboxWorker

D = TypeVar("D")


class NotStartedError(RuntimeError):
    """A service was used before post_init created it."""


@dataclass
class BotData:
    """Application-wide services. PTB builds it empty; `bot.lifecycle.post_init` fills it."""

    _settings: Settings | None = None
    _engine: AsyncEngine | None = None
    _sessions: async_sessionmaker[AsyncSession] | None = None
    _knowledge: KnowledgeBase | None = None
    _outbox: OutboxWorker | None = None
    _duties_config: DutiesConfig | None = None
    # What the duty clock runs (services.duty_registry.build_duties).
    duties: Sequence[Duty] = ()
    bot_username: str = ""
    # Every command of every handler module, in registration order (menus and /help).
    commands: tuple[CommandSpec, ...] = ()

    def start(
        self,
        *,
        settings: Settings,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        bot_username: str,
        commands: tuple[CommandSpec, ...],
        knowledge: KnowledgeBase,
        outbox: OutboxWorker,
        duties_config: DutiesConfig | None = None,
        duties: Sequence[Duty] = (),
    ) -> None:
        self._settings, self._engine, self._sessions = settings, engine, sessions
        self._duties_config, self.duties = duties_config, duties
        self._knowledge = knowledge
        self._outbox = outbox
        self.bot_username = bot_username
        self.commands = commands

    @property
    def started(self) -> bool:
        return self._engine is not None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise NotStartedError("settings not configured")
        return self._settings

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise NotStartedError("database engine not started")
        return self._engine

    @property
    def duties_config(self) -> DutiesConfig:
        """The validated duties file (loaded in post_init)."""
        if self._duties_config is None:
            raise NotStartedError("duties file not loaded")
        return self._duties_config

    @property
    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            raise NotStartedError("knowledge base not loaded")
        return self._knowledge

    def replace_knowledge(self, knowledge: KnowledgeBase) -> None:
        """Swap in a rebuilt knowledge base (e.g. with newly approved instructors' answers)."""
        self._knowledge = knowledge

    @property
    def outbox(self) -> OutboxWorker:
        """The outbox worker: call `wake()` after committing queued messages."""
        if self._outbox is None:
            raise NotStartedError("outbox worker not started")
        return self._outbox

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        if self._sessions is None:
            raise NotStartedError("database sessions not started")
        return self._sessions


class UserData:
    """What the bot keeps for one user between updates: at most one draft of each kind, keyed
    by the draft's class (a conversation's draft, a check-in waiting for a location, ...)."""

    __slots__ = ("_drafts",)

    def __init__(self) -> None:
        self._drafts: dict[type[object], object] = {}

    def get(self, kind: type[D]) -> D | None:
        found = self._drafts.get(kind)
        return found if isinstance(found, kind) else None

    def get_or_new(self, kind: type[D]) -> D:
        """The draft of `kind`, started empty (`kind()`) when there is none."""
        found = self.get(kind)
        return found if found is not None else self.keep(kind())

    def keep(self, draft: D) -> D:
        self._drafts[type(draft)] = draft
        return draft

    def drop(self, kind: type[D]) -> D | None:
        found = self._drafts.pop(kind, None)
        return found if isinstance(found, kind) else None


class GridContext(CallbackContext[ExtBot[Any], UserData, dict[Any, Any], BotData]):
    """Context handed to every gridbot callback."""


GridApplication = Application[
    ExtBot[Any], GridContext, UserData, dict[Any, Any], BotData, JobQueue[Any]
]
