"""The Bot API emulator, driven by the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from bot.emulator import BotApiEmulator, EmulatorError, SentMessage, parse_html, utf16_len

TOKEN = "123:ABC"
BOT_USERNAME = "gridbot_test_bot"
ALICE = 1001

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("确认 ✅", callback_data="confirm:1"),
                InlineKeyboardButton("取消", callback_data="cancel"),
            ]
        ]
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("start_args", []).append(list(context.args or []))
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    await message.reply_html(
        f"<b>欢迎</b>, {html.escape(user.first_name)} &amp; co", reply_markup=_keyboard()
    )


async def _on_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(text=f"got {query.data}")
    if isinstance(query.message, Message):
        await query.edit_message_text(
            f"<i>已选择</i> {html.escape(query.data or '')}", parse_mode=ParseMode.HTML
        )


def _png(width: int, height: int) -> bytes:
    """A valid 1-bit grayscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x00" * ((width + 7) // 8) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emulator:
        emulator.user(ALICE, first_name="Alice", username="alice")
        yield emulator


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[AnyApp]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{emu.base_url}/bot")
        .base_file_url(f"{emu.base_url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_on_button))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


# ------------------------------------------------------------------ with PTB


async def test_get_me(app: AnyApp) -> None:
    me = await app.bot.get_me()
    assert me.id == 123
    assert me.is_bot
    assert me.username == BOT_USERNAME
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False
    assert app.bot.username == BOT_USERNAME


async def test_start_deep_link_button_and_edit(app: AnyApp, emu: BotApiEmulator) -> None:
    sent = await emu.send_text(ALICE, "/start abc")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    reply = await emu.wait_for_message(ALICE)
    assert app.bot_data["start_args"] == [["abc"]]
    assert reply.message_id == sent["message_id"] + 1
    assert reply.text == "欢迎, Alice & co"
    assert reply.source_text == "<b>欢迎</b>, Alice &amp; co"
    assert reply.parse_mode == "HTML"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert [b["callback_data"] for b in reply.buttons] == ["confirm:1", "cancel"]

    query_id = await emu.press_button(ALICE, reply.message_id, reply.callback_data("取消"))
    answer = await emu.wait_for_callback_answer(query_id)
    assert answer.text == "got cancel"

    edited = await emu.wait_for_message(ALICE, lambda m: m.edited, after=reply)
    assert edited.message_id == reply.message_id
    assert edited.text == "已选择 cancel"
    assert edited.entities == [{"type": "italic", "offset": 0, "length": 3}]
    # Editing the text without reply_markup drops the inline keyboard, as on Telegram.
    assert edited.reply_markup is None
    assert edited.edit_count == 1
    # The snapshot taken earlier is not mutated by later edits.
    assert reply.text == "欢迎, Alice & co"
    assert [m.text for m in emu.sent_messages(ALICE)] == ["已选择 cancel"]

    with pytest.raises(EmulatorError, match="no button"):
        await emu.press_button(ALICE, reply.message_id, "cancel")


async def test_command_addressed_by_username(app: AnyApp, emu: BotApiEmulator) -> None:
    await emu.send_text(ALICE, "/start@other_bot nope")
    await emu.send_text(ALICE, f"/start@{BOT_USERNAME} xyz")
    await emu.wait_for_message(ALICE)
    # Updates are processed in order: the command for another bot was already skipped.
    assert app.bot_data["start_args"] == [["xyz"]]
    assert len(emu.sent_messages(ALICE)) == 1


async def test_forged_callback_is_delivered(app: AnyApp, emu: BotApiEmulator) -> None:
    message = await app.bot.send_message(ALICE, "pick", reply_markup=_keyboard())
    with pytest.raises(EmulatorError):
        await emu.press_button(ALICE, message.message_id, "admin:drop_all")
    query_id = await emu.press_button(ALICE, message.message_id, "admin:drop_all", forge=True)
    answer = await emu.wait_for_callback_answer(query_id)
    assert answer.text == "got admin:drop_all"
    edited = await emu.wait_for_message(ALICE, lambda m: m.edited)
    assert edited.text == "已选择 admin:drop_all"


@pytest.mark.parametrize(
    "text",
    ["<b>oops</i>", "<b>unclosed", "a < b", "Tom & Jerry", "<br>", "<span>x</span>", "&nbsp;"],
)
async def test_html_parse_error(app: AnyApp, text: str) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await app.bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)


async def test_text_length_counts_utf16(app: AnyApp, emu: BotApiEmulator) -> None:
    await app.bot.send_message(ALICE, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(ALICE, "x" * 4097)
    # 2049 emoji are 4098 UTF-16 code units.
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(ALICE, "😀" * 2049)
    # Markup does not count, only the resulting text.
    await app.bot.send_message(ALICE, "<b>" + "y" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="empty"):
        await app.bot.send_message(ALICE, "<b></b>", parse_mode=ParseMode.HTML)
    assert len(emu.sent_messages(ALICE)) == 2


async def test_blocked_user_and_unknown_chat(app: AnyApp, emu: BotApiEmulator) -> None:
    emu.block(ALICE)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await app.bot.send_message(ALICE, "hello?")
    emu.unblock(ALICE)
    await app.bot.send_message(ALICE, "welcome back")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_message(4242, "who?")
    with pytest.raises(EmulatorError):
        emu.block(4242)


async def test_rate_limit_and_injected_failures(
    app: AnyApp, emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RetryAfter reads its own retry_after in __init__, which warns (an error here)
    # unless PTB is told to use timedelta already.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    emu.rate_limit_per_second = 1.0
    await app.bot.send_message(ALICE, "first")
    with pytest.raises(RetryAfter) as excinfo:
        await app.bot.send_message(ALICE, "second")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=1)
    emu.rate_limit_per_second = None

    emu.per_chat_rate_limit_per_second = 0.5
    emu.user(2002, "Bob")
    await app.bot.send_message(ALICE, "a")
    await app.bot.send_message(2002, "other chats are not affected")
    with pytest.raises(RetryAfter) as excinfo:
        await app.bot.send_message(ALICE, "b")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=2)
    emu.per_chat_rate_limit_per_second = None

    emu.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as excinfo:
        await app.bot.send_message(ALICE, "flood")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=7)
    emu.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await app.bot.send_message(ALICE, "gateway")
    await app.bot.send_message(ALICE, "recovered")
    assert [m.text for m in emu.sent_messages(ALICE)] == ["first", "a", "recovered"]


async def test_commands_per_scope(app: AnyApp, emu: BotApiEmulator) -> None:
    private = [BotCommand("start", "开始"), BotCommand("help", "帮助")]
    admin = [*private, BotCommand("audit", "审核")]
    await app.bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
    await app.bot.set_my_commands(admin, scope=BotCommandScopeChat(ALICE))
    await app.bot.set_my_commands(admin[:1], scope=BotCommandScopeChat(ALICE), language_code="en")

    assert await app.bot.get_my_commands(scope=BotCommandScopeChat(ALICE)) == tuple(admin)
    assert await app.bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == tuple(private)
    assert await app.bot.get_my_commands() == ()
    assert emu.commands({"type": "chat", "chat_id": ALICE}, "en") == [
        {"command": "start", "description": "开始"}
    ]
    scopes = [params.get("scope") for method, params in emu.calls if method == "setMyCommands"]
    assert scopes[0] == {"type": "all_private_chats"}
    assert scopes[1] == {"type": "chat", "chat_id": ALICE}

    await app.bot.delete_my_commands(scope=BotCommandScopeChat(ALICE))
    assert await app.bot.get_my_commands(scope=BotCommandScopeChat(ALICE)) == ()
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.set_my_commands(private, scope=BotCommandScopeChat(999))
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_send_document_and_photo(app: AnyApp, emu: BotApiEmulator) -> None:
    payload = b"PK\x03\x04 fake xlsx \x00\xff" * 100
    message = await app.bot.send_document(
        ALICE,
        InputFile(payload, filename="网格统计.xlsx"),
        caption="<b>报表</b>",
        parse_mode=ParseMode.HTML,
    )
    assert message.document is not None
    assert message.document.file_name == "网格统计.xlsx"
    assert message.caption == "报表"
    sent = emu.sent_messages(ALICE)[-1]
    assert sent.method == "sendDocument"
    assert sent.text == "报表"
    assert sent.document is not None
    assert sent.document.filename == "网格统计.xlsx"
    assert sent.document.size == len(payload)
    assert sent.document.data == payload

    # Re-sending by file_id and downloading through base_file_url both work.
    await app.bot.send_document(ALICE, message.document.file_id)
    telegram_file = await app.bot.get_file(message.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == payload

    image = _png(33, 17)
    photo_message = await app.bot.send_photo(ALICE, image)
    assert photo_message.photo[-1].width == 33
    assert photo_message.photo[-1].height == 17
    sent_photo = emu.sent_messages(ALICE)[-1].photo
    assert sent_photo is not None
    assert sent_photo.data == image

    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await app.bot.send_photo(ALICE, b"not an image")


async def test_user_uploaded_document_can_be_downloaded(app: AnyApp, emu: BotApiEmulator) -> None:
    sent = await emu.send_document(ALICE, "名单.csv", "姓名,电话\n张三,1\n".encode())
    telegram_file = await app.bot.get_file(sent["document"]["file_id"])
    assert (await telegram_file.download_as_bytearray()).decode() == "姓名,电话\n张三,1\n"


async def test_edit_and_delete(app: AnyApp, emu: BotApiEmulator) -> None:
    message = await app.bot.send_message(ALICE, "one", reply_markup=_keyboard())
    mark = emu.checkpoint()
    edited = await app.bot.edit_message_text(
        "two", ALICE, message.message_id, reply_markup=_keyboard()
    )
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    state = await emu.wait_for_message(ALICE, after=mark)
    assert (state.text, state.edited, len(state.buttons)) == ("two", True, 2)

    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("two", ALICE, message.message_id, reply_markup=_keyboard())
    await app.bot.edit_message_reply_markup(ALICE, message.message_id, reply_markup=None)
    assert emu.sent_messages(ALICE)[0].reply_markup is None

    location = await app.bot.send_location(ALICE, latitude=31.23, longitude=121.47)
    assert location.location is not None
    assert emu.sent_messages(ALICE)[-1].location == (31.23, 121.47)

    assert await app.bot.delete_message(ALICE, message.message_id)
    deleted = await emu.wait_for_message(ALICE, lambda m: m.deleted)
    assert deleted.message_id == message.message_id
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await app.bot.delete_message(ALICE, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("three", ALICE, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("three", ALICE, 999)


async def test_old_messages_cannot_be_deleted(app: AnyApp, emu: BotApiEmulator) -> None:
    message = await app.bot.send_message(ALICE, "old news")
    real_clock = emu.clock
    emu.clock = lambda: real_clock() + 49 * 3600
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await app.bot.delete_message(ALICE, message.message_id)


async def test_inline_query_round_trip(app: AnyApp, emu: BotApiEmulator) -> None:
    async def on_inline(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        assert query is not None
        await query.answer(
            [
                InlineQueryResultArticle(
                    id="r1",
                    title=f"结果：{query.query}",
                    input_message_content=InputTextMessageContent(
                        "<b>统计台账</b>", parse_mode=ParseMode.HTML
                    ),
                )
            ],
            cache_time=5,
            is_personal=True,
        )

    app.add_handler(InlineQueryHandler(on_inline))
    emu.user(ALICE, first_name="Alice")
    query_id = await emu.send_inline_query(ALICE, "台账")
    answer = await emu.wait_for_inline_answer(query_id)
    assert answer.is_personal
    assert answer.cache_time == 5
    assert [r["title"] for r in answer.results] == ["结果：台账"]
    # A second answer to the same query is refused, as Telegram does.
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await app.bot.answer_inline_query(query_id, [])


async def test_wait_for_message_timeout_lists_chat(app: AnyApp, emu: BotApiEmulator) -> None:
    await app.bot.send_message(ALICE, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await emu.wait_for_message(ALICE, lambda m: m.text == "never", timeout=0.05)


# ------------------------------------------------------------- raw protocol


async def test_raw_protocol_long_poll_and_errors(emu: BotApiEmulator) -> None:
    api = f"{emu.base_url}/bot{TOKEN}"
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(f"{emu.base_url}/botWRONG/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        response = await client.post(f"{api}/sendTelepathy")
        assert response.status_code == 404
        assert response.json()["description"] == "Not Found"
        # GET with query parameters and case-insensitive method names work too.
        assert (await client.get(f"{api}/getme")).json()["result"]["username"] == BOT_USERNAME

        loop = asyncio.get_running_loop()
        started = loop.time()
        poll = asyncio.create_task(client.post(f"{api}/getUpdates", json={"timeout": 10}))
        await asyncio.sleep(0.05)
        await emu.send_text(ALICE, "hi")
        updates = (await poll).json()["result"]
        assert loop.time() - started < 2
        assert [u["message"]["text"] for u in updates] == ["hi"]

        # Unconfirmed updates are redelivered; offset confirms them.
        again = await client.post(f"{api}/getUpdates", data={"timeout": "0"})
        assert again.json()["result"] == updates
        offset = updates[-1]["update_id"] + 1
        confirmed = await client.post(f"{api}/getUpdates", json={"offset": offset, "timeout": 0})
        assert confirmed.json()["result"] == []
        assert emu.pending_updates() == []

        unknown_query = await client.post(
            f"{api}/answerCallbackQuery", json={"callback_query_id": "nope"}
        )
        assert unknown_query.json()["description"] == (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
        bad = await client.post(
            f"{api}/sendMessage",
            data={"chat_id": str(ALICE), "text": "x", "reply_markup": '{"inline_keyboard": 1}'},
        )
        assert bad.status_code == 400
        assert bad.json()["ok"] is False


async def test_http_control_api(app: AnyApp, emu: BotApiEmulator) -> None:
    control = f"{emu.base_url}/control"
    async with httpx.AsyncClient(timeout=5) as client:
        bob = await client.post(f"{control}/users/2002", json={"first_name": "Bob"})
        assert bob.json()["result"]["first_name"] == "Bob"
        sent = await client.post(f"{control}/users/2002/text", json={"text": "/start"})
        assert sent.json()["result"]["text"] == "/start"

        listing = await client.get(f"{control}/chats/2002/messages", params={"timeout": 5})
        (reply,) = listing.json()["result"]
        assert reply["text"] == "欢迎, Bob & co"

        pressed = await client.post(
            f"{control}/users/2002/press",
            json={"message_id": reply["message_id"], "callback_data": "confirm:1"},
        )
        query_id = pressed.json()["result"]["callback_query_id"]
        changed = await client.get(
            f"{control}/chats/2002/messages", params={"after": reply["seq"], "timeout": 5}
        )
        (edited,) = changed.json()["result"]
        assert (edited["text"], edited["edited"]) == ("已选择 confirm:1", True)
        assert (await emu.wait_for_callback_answer(query_id)).text == "got confirm:1"

        missing = await client.post(
            f"{control}/users/2002/press", json={"message_id": 999, "callback_data": "x"}
        )
        assert missing.status_code == 400
        assert "no bot message" in missing.json()["description"]

        await client.post(f"{control}/users/2002/location", json={"latitude": 1, "longitude": 2})
        assert (await client.post(f"{control}/users/2002/block")).json()["result"] is True
        with pytest.raises(Forbidden):
            await app.bot.send_message(2002, "still there?")
        await client.post(f"{control}/users/2002/unblock")
        await app.bot.send_message(2002, "yes")


# ---------------------------------------------------------------- pure units


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>粗</b>体 &lt;ok&gt;", "粗体 <ok>", [{"type": "bold", "offset": 0, "length": 1}]),
        (
            "😀 <i>x<u>y</u></i>",
            "😀 xy",
            [
                {"type": "italic", "offset": 3, "length": 2},
                {"type": "underline", "offset": 4, "length": 1},
            ],
        ),
        (
            '<a href="https://e.x/?a=1&amp;b=2">link</a>',
            "link",
            [{"type": "text_link", "offset": 0, "length": 4, "url": "https://e.x/?a=1&b=2"}],
        ),
        (
            '<pre><code class="language-python">pass</code></pre>',
            "pass",
            [{"type": "pre", "offset": 0, "length": 4, "language": "python"}],
        ),
        (
            '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>',
            "st",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
        (
            "<blockquote expandable>q</blockquote>&#x41;&#66;",
            "qAB",
            [{"type": "expandable_blockquote", "offset": 0, "length": 1}],
        ),
    ],
)
def test_parse_html(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    assert parse_html(source) == (text, entities)


def test_parse_html_errors_and_lenient_mode() -> None:
    with pytest.raises(ValueError, match=r'expected "</b>", found "</i>"'):
        parse_html("<b>x</i>")
    with pytest.raises(ValueError, match='Unsupported start tag "" at byte offset 4'):
        parse_html("中 < b")
    # Real Telegram keeps a bare "&" literally; strict mode is the emulator's extra check.
    assert parse_html("Tom & Jerry", strict=False) == ("Tom & Jerry", [])
    assert utf16_len("a😀") == 3


def test_sent_message_helpers() -> None:
    message = SentMessage(
        message_id=1,
        chat_id=1,
        method="sendMessage",
        date=0,
        reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
    )
    assert message.callback_data("Go") == "go"
    with pytest.raises(EmulatorError, match="'Go'"):
        message.callback_data("Stop")
