"""What sends and edits share: chat lookup, flood control, text and caption checks, replies."""

import math
import time

from emulator.html import parse_html
from emulator.limits import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    RATED_METHODS,
    TokenBucket,
    utf16_len,
)
from emulator.params import Params
from emulator.records import EmulatorError
from emulator.state import EmulatorState
from emulator.wire import ApiError, JSONDict, bad_request


class MessageContent(EmulatorState):
    """Checks every message-producing method applies before it takes effect."""

    def _check_rate(self, method: str, chat_id: int, *, paid: bool = False) -> None:
        """429 beyond the limits. A paid broadcast is counted against its own limit (1000/s)
        instead of the free one of the bot; the chat's own limit holds for both."""
        if method not in RATED_METHODS:
            return
        now = time.monotonic()
        buckets: list[TokenBucket] = []
        overall: tuple[int | str | None, float | None, float | None] = (
            ("paid", self.paid_rate_limit_per_second, None)
            if paid and self.rate_limit_per_second is not None
            else (None, self.rate_limit_per_second, None)
        )
        for key, rate, burst in (
            overall,
            (chat_id, self.per_chat_rate_limit_per_second, self.per_chat_burst),
        ):
            if rate is None:
                continue
            if rate <= 0:
                raise EmulatorError("rate limits must be positive")
            bucket = self._buckets.get(key)
            if bucket is None or bucket.rate != rate:
                bucket = self._buckets[key] = TokenBucket(rate, burst)
            buckets.append(bucket)
        wait = max((bucket.wait_time(now) for bucket in buckets), default=0.0)
        if wait > 0:
            self.flood_refusals.append((method, chat_id))
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for bucket in buckets:
            bucket.take()
        if paid:
            self.paid_messages += 1

    def _formatted(
        self, p: Params, text_field: str, entities_field: str, *, caption: bool
    ) -> tuple[str, list[JSONDict], str | None]:
        """Text, entities and parse_mode of a text/caption after Telegram's processing."""
        source = p.opt_str(text_field) or ""
        parse_mode = p.opt_str("parse_mode") or None
        if parse_mode is None:
            text = source
            entities = list(p.opt_json(entities_field, list) or [])
        elif parse_mode.lower() == "html":
            try:
                text, entities = parse_html(source, strict=self.strict_html)
            except ValueError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            # Markdown is stored verbatim: the emulator does not parse it.
            text, entities = source, []
        else:
            raise bad_request("unsupported parse_mode")
        limit = MAX_CAPTION_LENGTH if caption else MAX_MESSAGE_LENGTH
        if utf16_len(text) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        if not caption and not text.strip():
            raise bad_request("message text is empty")
        return text, entities, parse_mode

    def _reply_target(self, p: Params, chat_id: int) -> JSONDict | None:
        reply_parameters = p.opt_json("reply_parameters", dict)
        if reply_parameters is not None:
            target = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
        else:
            target = p.opt_int("reply_to_message_id")
            allow_missing = p.opt_bool("allow_sending_without_reply")
        if target is None:
            return None
        if not isinstance(target, int) or isinstance(target, bool):
            raise bad_request("message to be replied not found")
        replied = self._any_message(chat_id, target)
        if replied is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return replied
