"""The demo's console chat: how it shows a bot message and numbers its buttons."""

from emulator import SentFile, SentMessage
from emulator.console import render


def test_render_numbers_buttons_and_marks_edits() -> None:
    message = SentMessage(
        message_id=3,
        chat_id=1,
        method="sendMessage",
        date=0,
        text="请选择乡镇（街道）\n第二行",
        reply_markup={
            "inline_keyboard": [
                [{"text": "柳市镇", "callback_data": "t:1"}],
                [{"text": "说明", "url": "https://example.org"}],
            ]
        },
        edited=True,
    )
    assert render(message) == (
        "  ┌ 机器人（已更新）\n  │ 请选择乡镇（街道）\n  │ 第二行\n  [1] 柳市镇\n  [2] 说明"
    )


def test_render_names_files() -> None:
    document = SentFile(file_id="f", file_unique_id="u", file_path="d/f", filename="名单.xlsx")
    message = SentMessage(
        message_id=4, chat_id=1, method="sendDocument", date=0, text="导出", document=document
    )
    assert render(message) == "  ┌ 机器人\n  │ [文件] 名单.xlsx 导出"
