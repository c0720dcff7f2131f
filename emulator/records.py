"""What the emulator records: its users, the bot's messages and files, the bot's answers."""

from dataclasses import dataclass, field

from emulator.wire import JSONDict


class EmulatorError(Exception):
    """Misuse of the control API (unknown user, missing button, ...)."""


@dataclass
class FakeUser:
    """A Telegram user driven by the test or demo; its private chat id equals ``id``."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    blocked: bool = False
    # The account's phone number, as a request_contact button shares it.
    phone_number: str | None = None

    def to_dict(self) -> JSONDict:
        """Bot API ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> JSONDict:
        """Bot API ``Chat`` object of the private chat with this user."""
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class SentFile:
    """A file the bot sent (or a user uploaded); ``data`` is None for URL sends."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    size: int = 0
    data: bytes | None = field(default=None, repr=False)
    url: str | None = None
    width: int | None = None
    height: int | None = None

    def to_json(self) -> JSONDict:
        """JSON view without the bytes."""
        return {
            "file_id": self.file_id,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": self.size,
            "url": self.url,
            "width": self.width,
            "height": self.height,
        }


@dataclass
class SentMessage:
    """Current state of a message the bot sent; reads return snapshots, not live objects.

    ``text`` is the message text or caption as Telegram stores it (HTML tags stripped,
    entities unescaped); ``source_text`` is what the bot passed.  ``seq`` is the global
    change counter at its last send/edit/delete (see ``BotApiEmulator.checkpoint``).
    """

    message_id: int
    chat_id: int
    method: str
    date: int
    text: str | None = None
    source_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None
    document: SentFile | None = None
    photo: SentFile | None = None
    location: tuple[float, float] | None = None
    edited: bool = False
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    seq: int = 0
    raw: JSONDict = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[JSONDict]:
        """Inline keyboard buttons, flattened row by row ([] without inline keyboard)."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [button for row in self.reply_markup["inline_keyboard"] for button in row]

    def callback_data(self, label: str) -> str:
        """callback_data of the inline button whose text is ``label``."""
        for button in self.buttons:
            if button.get("text") == label and "callback_data" in button:
                return str(button["callback_data"])
        labels = [button.get("text") for button in self.buttons]
        raise EmulatorError(f"message {self.message_id} has no button {label!r}; has {labels}")

    def to_json(self) -> JSONDict:
        """JSON view for the HTTP control API."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "method": self.method,
            "date": self.date,
            "text": self.text,
            "source_text": self.source_text,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "document": self.document.to_json() if self.document else None,
            "photo": self.photo.to_json() if self.photo else None,
            "location": list(self.location) if self.location else None,
            "edited": self.edited,
            "edit_count": self.edit_count,
            "edit_date": self.edit_date,
            "deleted": self.deleted,
            "seq": self.seq,
        }

    def describe(self) -> str:
        """One-line summary for error messages and logs."""
        flags = "".join(
            f" [{name}]" for name, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        body = self.text if self.text is not None else ""
        if self.document:
            body = f"<document {self.document.filename}> {body}"
        elif self.photo:
            body = f"<photo> {body}"
        elif self.location:
            body = f"<location {self.location[0]},{self.location[1]}>"
        if len(body) > 80:
            body = body[:77] + "..."
        return f"#{self.message_id} {self.method} seq={self.seq}{flags}: {body!r}"


@dataclass
class CallbackAnswer:
    """An answerCallbackQuery call."""

    callback_query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


@dataclass
class InlineAnswer:
    """An answerInlineQuery call."""

    inline_query_id: str
    results: list[JSONDict]
    cache_time: int | None = None
    is_personal: bool = False
    next_offset: str | None = None
    button: JSONDict | None = None


@dataclass
class UploadedFile:
    """A multipart file part as received; appears in ``BotApiEmulator.calls``."""

    filename: str | None
    content_type: str | None
    data: bytes
