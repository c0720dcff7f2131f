"""Telegram's limits: text and caption lengths, callback_data size, keyboards, flood control."""

from typing import Any

from emulator.wire import JSONDict, bad_request, words

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
# Telegram refuses to delete messages older than 48 hours.
DELETE_WINDOW_SECONDS = 48 * 3600
# Telegram caps long polling at 50 seconds.
MAX_POLL_TIMEOUT = 50.0
# getFile serves bots files up to 20 MB; users may send files up to 2 GB (4 GB with Premium).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_USER_UPLOAD_BYTES = 2000 * 1024 * 1024

_INLINE_BUTTON_ACTIONS = words(
    "url callback_data web_app login_url switch_inline_query "
    "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
    "callback_game pay"
)
# The methods the flood-control buckets count.
RATED_METHODS = words(
    "sendMessage sendDocument sendPhoto sendLocation editMessageText "
    "editMessageCaption editMessageReplyMarkup"
)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets and limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def checked_reply_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
    """``markup`` if Telegram would accept it as ``reply_markup``, else a 400 ApiError."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text is empty")
                if not _INLINE_BUTTON_ACTIONS & button.keys():
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not (
                    1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text is empty")
    return markup


def reply_button_text(button: Any) -> str:
    """The label of a reply-keyboard button (a plain string or a ``KeyboardButton``)."""
    return str(button.get("text") if isinstance(button, dict) else button)


class TokenBucket:
    """Flood-control bucket: ``rate`` sends per second, bursts up to ``burst`` (by default
    max(1, rate))."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate) if burst is None else max(1.0, burst)
        self.tokens = self.capacity
        self.updated: float | None = None

    def wait_time(self, now: float) -> float:
        """Seconds until a send is allowed (0 if allowed now)."""
        if self.updated is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1
