"""The browser sandbox in Debian's Chromium: the page, live panes across people, time travel.

One sandbox and one page for the module (conftest.py); each test plays one flow in it, as a
newcomer would, by typing in the panes and pressing what they show.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from tests.bot.sandbox.conftest import RunningSandbox

pytestmark = pytest.mark.sandbox

NOTICE = "请于本周五前完成统计年报的报送（浏览器测试）"
QUESTION = "企业统计台账需要保存多少年（浏览器测试）"
REPLY = "统计台账应当至少保存两年，请按规定妥善保管。"


def pane(page: Any, sandbox: RunningSandbox, index: int) -> Any:
    """The default pane `index` (0 member, 1 instructor, 2 网格长, 3 town leader, 4 admin)."""
    telegram_id = sandbox.handle.chats.cast.panes[index]
    return page.locator(f'.pane[data-person="{telegram_id}"]')


def say(chat: Any, text: str) -> None:
    box = chat.locator("textarea")
    box.fill(text)
    box.press("Enter")


def press(chat: Any, label: str) -> None:
    """Press the latest inline button whose label starts with `label`."""
    starts = re.compile("^" + re.escape(label))
    chat.locator(".msg.bot .buttons button", has_text=starts).last.click()


def last_bot_text(chat: Any, containing: str) -> str:
    message = chat.locator(".msg.bot .text", has_text=containing).last
    message.wait_for()
    return str(message.inner_text())


def test_the_page_loads_with_its_panes_and_chinese_font(
    page: Any, running_sandbox: RunningSandbox, artifacts: Path
) -> None:
    assert page.locator(".pane").count() == 5
    member = running_sandbox.handle.chats.character(running_sandbox.handle.chats.cast.panes[0])
    assert member.name in pane(page, running_sandbox, 0).locator(".name").inner_text()
    # Everyone was bound by following their invitation, inside the page.
    for index in range(5):
        last_bot_text(pane(page, running_sandbox, index), "绑定成功")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("""document.fonts.check('16px "Noto Sans CJK SC"', '统计网格助手')""")
    # The menu lists the person's own commands (setMyCommands of their chat).
    admin = pane(page, running_sandbox, 4)
    admin.locator(".menu-button").click()
    assert admin.locator(".menu button", has_text="/faqreview").count() == 1
    admin.locator(".menu-button").click()
    page.screenshot(path=str(artifacts / "sandbox.png"))


def test_a_notice_reaches_the_member_live_and_the_receipt_counts(
    page: Any, running_sandbox: RunningSandbox
) -> None:
    member, instructor = pane(page, running_sandbox, 0), pane(page, running_sandbox, 1)
    say(instructor, "/notice")
    last_bot_text(instructor, "请发送通知正文")
    say(instructor, NOTICE)
    last_bot_text(instructor, "跳过")
    press(instructor, "跳过")
    last_bot_text(instructor, "请选择范围")
    press(instructor, "我的网格")
    last_bot_text(instructor, "请选择接收人")
    press(instructor, "全体人员")
    last_bot_text(instructor, "通知预览")
    press(instructor, "确认发送")
    # The member's pane shows it without a reload, with its [已阅].
    notice = member.locator(".msg.bot", has_text=NOTICE).last
    notice.locator("button", has_text="已阅").click()
    # Pressed: the button now reads "✅ 已阅 (time)" (drawn as ✓ where no emoji font exists).
    confirmed = notice.locator("button", has_text=re.compile(r"已阅 \("))
    confirmed.wait_for()
    # Pressed again: the bot's answerCallbackQuery text shows in the pane.
    confirmed.click()
    member.locator(".toast, .alert-text", has_text="已确认过").first.wait_for()
    panel = instructor.locator(".msg.bot", has_text="已阅 0").last
    panel.locator("button", has_text="刷新").click()
    instructor.locator(".msg.bot .text", has_text="已阅 1").last.wait_for()


def test_a_check_in_with_the_code_shown_in_the_organiser_pane(
    page: Any, running_sandbox: RunningSandbox
) -> None:
    member, instructor = pane(page, running_sandbox, 0), pane(page, running_sandbox, 1)
    say(instructor, "/activities")
    last_bot_text(instructor, "我组织")
    instructor.locator(".msg.bot", has_text="我组织").last.locator(".buttons button").first.click()
    text = last_bot_text(instructor, "签到码：")
    code = re.search(r"签到码：(\d{6})", text)
    assert code is not None
    say(member, f"/checkin {code[1]}")
    # The activity checks the location too: a reply keyboard asks for it.
    last_bot_text(member, "需要核验位置")
    member.locator(".reply-keyboard button", has_text="发送我的位置").click()
    member.locator(".attach button", has_text="乐清市统计局").click()
    last_bot_text(member, "签到成功")
    assert member.locator(".msg.me", has_text="[位置]").count() == 1


def test_an_ask_is_answered_across_panes(page: Any, running_sandbox: RunningSandbox) -> None:
    member, instructor = pane(page, running_sandbox, 0), pane(page, running_sandbox, 1)
    say(member, f"/ask {QUESTION}")
    last_bot_text(member, "提交前")
    press(member, "仍需提问")
    last_bot_text(member, "问题已提交给网格指导员")
    question = instructor.locator(".msg.bot", has_text=QUESTION).last
    question.locator("button", has_text="回复").click()
    last_bot_text(instructor, "请发送对问题")
    say(instructor, REPLY)
    last_bot_text(instructor, "回复已发送给")
    reply = member.locator(".msg.bot", has_text=REPLY).last
    reply.wait_for()
    assert "回复了您的问题" in reply.inner_text()


def test_the_stats_chart_is_shown_as_an_image(page: Any, running_sandbox: RunningSandbox) -> None:
    admin = pane(page, running_sandbox, 4)
    say(admin, "/stats")
    image = admin.locator(".msg.bot img").last
    image.wait_for()
    loaded = "(img) => img.complete && img.naturalWidth > 100"
    page.wait_for_function(loaded, arg=image.element_handle())


def test_an_export_is_downloadable(page: Any, running_sandbox: RunningSandbox) -> None:
    admin = pane(page, running_sandbox, 4)
    say(admin, "/export")
    last_bot_text(admin, "请选择要导出的台账")
    press(admin, "问题台账")
    # The kind's message is edited in place into the choice of period; the first is this month.
    periods = admin.locator(".msg.bot", has_text="请选择期间").last
    periods.locator(".buttons button").first.click()
    link = admin.locator(".msg.bot .doc a", has_text="问题台账").last
    with page.expect_download() as download:
        link.click()
    saved = download.value.path()
    assert download.value.suggested_filename.startswith("问题台账")
    assert Path(saved).read_bytes()[:2] == b"PK"  # an .xlsx


def test_time_travel_sends_the_monthly_report_reminder(
    page: Any, running_sandbox: RunningSandbox
) -> None:
    head = pane(page, running_sandbox, 2)
    preset = page.locator("#travel-preset option", has_text="月报提醒（截止前5天）")
    page.select_option("#travel-preset", value=preset.get_attribute("value"))
    page.click("#travel-go")
    page.locator("#status", has_text="提醒时钟已到").wait_for()
    reminder = last_bot_text(head, "月度网格情况汇报提醒")
    assert "/report" in reminder


def test_the_picker_adds_a_pane_for_any_demo_person(page: Any) -> None:
    page.click("#add-person")
    page.fill("#picker-q", "二级网格长")
    person = page.locator("#picker-list li", has_text="二级网格长").first
    telegram_id = person.get_attribute("data-person")
    person.click()
    added = page.locator(f'.pane[data-person="{telegram_id}"]')
    last_bot_text(added, "绑定成功")
    assert "二级网格长" in added.locator(".title").inner_text()


def test_nothing_was_fetched_from_elsewhere(page: Any, running_sandbox: RunningSandbox) -> None:
    """After every flow above: the page, its script, style, font, photos and files all came
    from the sandbox itself (no CDN, no web font service)."""
    assert page.requested
    elsewhere = [
        url for url in page.requested if not url.startswith((running_sandbox.url, "data:"))
    ]
    assert elsewhere == []
    assert any(url.endswith("/fonts/NotoSansCJKsc-Regular.otf") for url in page.requested)
