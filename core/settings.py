"""The one typed settings object, read from GRIDBOT_* environment variables and `.env`."""

import re
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API_BASE_URL = "https://api.telegram.org"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingsError(Exception):
    """Settings are missing or invalid; the message says what to set, in Chinese and English."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GRIDBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./gridbot.db"
    # Bot API server root without the /bot<token> part: Telegram's, a self-hosted
    # telegram-bot-api server, or gridbot's own emulator.
    api_base_url: str = TELEGRAM_API_BASE_URL
    timezone: str = "Asia/Shanghai"
    city_name: str = "乐清市"
    invite_ttl_days: int = Field(default=30, ge=1, le=365)
    # Self-service binding by sharing one's phone number (/start, t.me/<bot>?start=join); off
    # for a city that hands out personal links only. Attempts per account per sliding hour.
    phone_binding: bool = True
    phone_attempts_per_hour: int = Field(default=5, ge=1, le=100)
    # Set when the bot cannot ask getMe (offline invite export); otherwise read from Telegram.
    bot_username: str | None = None
    # Activities: the check-in code changes this often; a location check-in must be this close.
    checkin_code_seconds: int = Field(default=60, ge=15, le=3600)
    checkin_radius_m: int = Field(default=500, ge=20, le=20_000)
    # Questions: remind the instructor after this many working hours without an answer, then
    # escalate to the town's 分管负责人.
    question_remind_hours: float = Field(default=24, gt=0)
    question_escalate_hours: float = Field(default=72, gt=0)
    # Notices: unconfirmed recipients are reminded once automatically after this many hours;
    # the sender's [提醒未读] works at most once per `notice_manual_remind_minutes`.
    notice_auto_remind_hours: float = Field(default=24, gt=0)
    notice_manual_remind_minutes: int = Field(default=60, ge=1)
    # Per-person rate limits, each a count per sliding hour, kept in the database (they hold
    # across restarts), taken at the first step: questions begun (/ask, /start ask, faq's
    # [向指导员提问]), follow-ups begun ([追问]), notices begun (/notice), exports built.
    questions_per_hour: int = Field(default=10, ge=1, le=1000)
    followups_per_hour: int = Field(default=20, ge=1, le=1000)
    notices_per_hour: int = Field(default=10, ge=1, le=1000)
    exports_per_hour: int = Field(default=30, ge=1, le=1000)
    # Check-in codes tried by one person: for one activity within `checkin_attempt_minutes`
    # (then even the right code waits; the QR link still works), and for all activities within
    # an hour, which bounds guessing across activities.
    checkin_attempts_per_activity: int = Field(default=5, ge=1, le=100)
    checkin_attempt_minutes: int = Field(default=15, ge=1, le=1440)
    checkin_attempts_per_hour: int = Field(default=20, ge=1, le=1000)
    # Duty definitions (services/duties/duties.toml when unset).
    duties_file: Path | None = None
    # Quiet hours (the duties file's [engine] quiet_start/quiet_end) hold every bot-initiated
    # message until morning. Off only where the wall clock must not matter: tests, the demo.
    quiet_hours: bool = True
    # The duty clock's first run, the catch-up after downtime, comes this long after start.
    duty_first_run_seconds: float = Field(default=20, ge=0)
    # How long a Bot API call may wait for Telegram's answer before it counts as failed
    # (telegram.error.TimedOut; PTB's own default).
    api_read_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # `gridbot run --webhook`: the public URL Telegram posts updates to (path included) and the
    # secret it sends along in X-Telegram-Bot-Api-Secret-Token.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # host:port of our HTTP app: the webhook, /healthz, /readyz and /metrics (both modes).
    listen: str = "127.0.0.1:8080"
    # Telegram's paid broadcasts (0.1 Star a message) lift the 30 messages/s limit for the
    # outbox; off unless a city pays for them, and then capped at `paid_broadcast_rate`.
    allow_paid_broadcast: bool = False
    paid_broadcast_rate: float = Field(default=100.0, gt=0, le=1000)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区 unknown time zone: {value}") from exc
        return value

    @field_validator("api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError(f"应为 主机:端口 expected host:port, got {value!r}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not _SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("只能是1-256个字母、数字、_ 或 - (1-256 of A-Z a-z 0-9 _ -)")
        return value

    @property
    def listen_host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def listen_port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    def require_webhook(self) -> tuple[str, str]:
        """The webhook's URL and secret; both must be set for `gridbot run --webhook`."""
        if not self.webhook_url or self.webhook_secret is None:
            raise SettingsError(
                "Webhook 模式需要设置 GRIDBOT_WEBHOOK_URL（公网地址，含路径）和 "
                "GRIDBOT_WEBHOOK_SECRET（1-256个字母、数字、_ 或 -）。\n"
                "Webhook mode needs GRIDBOT_WEBHOOK_URL (public URL, path included) and "
                "GRIDBOT_WEBHOOK_SECRET."
            )
        return self.webhook_url, self.webhook_secret.get_secret_value()

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def invite_ttl(self) -> timedelta:
        return timedelta(days=self.invite_ttl_days)

    @property
    def bot_base_url(self) -> str:
        return f"{self.api_base_url}/bot"

    @property
    def bot_file_base_url(self) -> str:
        return f"{self.api_base_url}/file/bot"

    def require_token(self) -> str:
        if self.token is None or not self.token.get_secret_value().strip():
            raise SettingsError(
                "未设置机器人令牌：请在环境变量或 .env 文件中设置 GRIDBOT_TOKEN"
                "（向 @BotFather 申请）。\n"
                "No bot token: set GRIDBOT_TOKEN in the environment or in .env "
                "(get one from @BotFather)."
            )
        return self.token.get_secret_value().strip()


def load_settings(*, require_token: bool = False, **overrides: object) -> Settings:
    """Read settings; fail fast with a readable message instead of a pydantic traceback."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"GRIDBOT_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"配置有误 invalid settings: {problems}") from exc
    if require_token:
        settings.require_token()
    return settings
