"""The sandbox's web API without a browser: the picker, uploads, locations, contacts, and the
sandbox reopened as it was left (chats, panes, duty clock) unless reset."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from bot.sandbox.run import sandbox

pytestmark = pytest.mark.sandbox


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    return buffer.getvalue()


async def ok(response: httpx.Response) -> Any:
    body = response.json()
    assert body["ok"], body
    return body["result"]


async def test_the_picker_uploads_locations_and_contacts(tmp_path: Path) -> None:
    async with (
        sandbox(tmp_path / "demo", enterprises=60, towns=2, port=0) as running,
        httpx.AsyncClient(base_url=running.url) as client,
    ):
        state = await ok(await client.get("/api/state"))
        assert [p["person"]["id"] for p in state["panes"]] == running.chats.cast.panes
        labels = [preset["label"] for preset in state["clock"]["presets"]]
        for step in (
            "月报提醒（截止前5天）",
            "月报截止日",
            "月报汇总",
            "季度活动督促",
            "季末活动汇总",
        ):
            assert any(label.startswith(step) for label in labels), labels
        [town_head, *_] = await ok(await client.get("/api/people", params={"q": "二级网格长"}))
        assert town_head["id"] not in running.chats.cast.panes
        added = await ok(await client.post("/api/panes", json={"id": town_head["id"]}))
        # Added and bound by following their invitation.
        assert any("绑定成功" in m["text"] for m in added["messages"] if m["from"] == "bot")
        assert added["commands"]
        member = running.chats.cast.panes[0]
        await ok(
            await client.post(
                f"/api/chats/{member}/upload",
                params={"kind": "photo"},
                headers={"X-Filename": "%E7%8E%B0%E5%9C%BA.png"},
                content=png(),
            )
        )
        await ok(
            await client.post(
                f"/api/chats/{member}/location", json={"latitude": 28.1, "longitude": 120.9}
            )
        )
        await ok(await client.post(f"/api/chats/{member}/contact"))
        mine = [m for m in (await ok(await client.get(f"/api/chats/{member}")))["messages"]]
        mine = [m for m in mine if m["from"] == "me"]
        photo, location, contact = mine[-3:]
        image = await client.get(photo["photo"]["url"])
        assert image.content == png()
        assert location["location"] == [28.1, 120.9]
        assert running.chats.character(member).mobile in contact["text"]
        # A time typed into the page is local time.
        travelled = await ok(await client.post("/api/clock", json={"at": "2030-01-02T09:05"}))
        assert travelled["now"] == "2030-01-02 09:05"
        assert travelled["travelled"] is True
        refused = await client.post("/api/chats/1/text", json={"text": "/me"})
        assert refused.status_code == 400
        # The page and its font are served from here, not from the internet.
        page = await client.get("/")
        assert "/static/app.js" in page.text
        assert "http" not in page.text.replace("http-equiv", "")
        font = await client.get("/fonts/NotoSansCJKsc-Regular.otf")
        assert font.content[:4] == b"OTTO"


async def test_the_sandbox_reopens_as_it_was_left_unless_reset(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    travel_to = datetime.now(UTC) + timedelta(days=3)
    async with sandbox(directory, enterprises=60, towns=2, port=0) as running:
        member = running.chats.cast.panes[0]
        mark = running.emulator.checkpoint()
        await running.chats.send_text(member, "/me")
        await running.emulator.wait_for_message(member, after=mark, timeout=10)
        running.chats.panes.remove(running.chats.cast.panes[3])
        running.chats.save()
        await running.clock.travel(travel_to)
    async with sandbox(directory, enterprises=60, towns=2, port=0) as running:
        texts = [m["text"] for m in running.chats.chat(member)["messages"]]
        assert "/me" in texts
        assert any("我的信息" in t for t in texts)
        assert len(running.chats.panes) == 4
        assert running.clock.at == travel_to
    async with sandbox(directory, enterprises=60, towns=2, reset=True, port=0) as running:
        texts = [m["text"] for m in running.chats.chat(member)["messages"]]
        assert "/me" not in texts
        assert len(running.chats.panes) == 5
        assert running.clock.at is None
