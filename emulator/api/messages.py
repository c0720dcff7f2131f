"""sendMessage, sendDocument, sendPhoto, sendLocation, sendChatAction."""

import copy
from typing import Any

from emulator.api.content import MessageContent
from emulator.api.files import FilesApi, image_size
from emulator.limits import checked_reply_markup
from emulator.params import Params
from emulator.records import FakeUser, SentMessage
from emulator.wire import JSONDict, bad_request


class MessagesApi(MessageContent, FilesApi):
    """The methods that put a new bot message into a chat."""

    def _new_bot_message(
        self,
        user: FakeUser,
        method: str,
        content: JSONDict,
        markup: JSONDict | None,
        reply_to: JSONDict | None,
        **state: Any,
    ) -> SentMessage:
        message_id = self._new_message_id(user.id)
        date = self._now()
        raw: JSONDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": user.chat_dict(),
            "date": date,
            **content,
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        # Message.reply_markup only ever holds inline keyboards.
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        elif markup is not None and "keyboard" in markup:
            self._reply_keyboards[user.id] = markup
        elif markup is not None and "remove_keyboard" in markup:
            self._reply_keyboards.pop(user.id, None)
        message = SentMessage(
            message_id=message_id,
            chat_id=user.id,
            method=method,
            date=date,
            reply_markup=markup,
            raw=raw,
            **state,
        )
        self._bot_messages.setdefault(user.id, {})[message_id] = message
        self._bump(message)
        return message

    async def _send_message(self, p: Params) -> JSONDict:
        user = self._chat(p.chat_id())
        text, entities, parse_mode = self._formatted(p, "text", "entities", caption=False)
        markup = checked_reply_markup(p.raw("reply_markup"))
        reply_to = self._reply_target(p, user.id)
        self._check_rate("sendMessage", user.id, paid=p.opt_bool("allow_paid_broadcast"))
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        message = self._new_bot_message(
            user,
            "sendMessage",
            content,
            markup,
            reply_to,
            text=text,
            source_text=p.opt_str("text"),
            parse_mode=parse_mode,
            entities=entities,
        )
        return copy.deepcopy(message.raw)

    async def _send_media(self, p: Params, method: str, kind: str) -> JSONDict:
        user = self._chat(p.chat_id())
        caption, entities, parse_mode = self._formatted(
            p, "caption", "caption_entities", caption=True
        )
        markup = checked_reply_markup(p.raw("reply_markup"))
        reply_to = self._reply_target(p, user.id)
        stored = self._input_file(p, kind, "photos" if kind == "photo" else "documents")
        if kind == "photo" and stored.data is not None:
            size = image_size(stored.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            stored.width, stored.height = size
        self._check_rate(method, user.id, paid=p.opt_bool("allow_paid_broadcast"))
        content: JSONDict = {}
        if kind == "photo":
            content["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": stored.width or 0,
                    "height": stored.height or 0,
                }
            ]
        else:
            content["document"] = self._document_dict(stored)
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        message = self._new_bot_message(
            user,
            method,
            content,
            markup,
            reply_to,
            text=caption or None,
            source_text=p.opt_str("caption"),
            parse_mode=parse_mode,
            entities=entities,
            **{kind: stored},
        )
        return copy.deepcopy(message.raw)

    async def _send_document(self, p: Params) -> JSONDict:
        return await self._send_media(p, "sendDocument", "document")

    async def _send_photo(self, p: Params) -> JSONDict:
        return await self._send_media(p, "sendPhoto", "photo")

    async def _send_location(self, p: Params) -> JSONDict:
        user = self._chat(p.chat_id())
        latitude, longitude = p.req_float("latitude"), p.req_float("longitude")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong location specified")
        markup = checked_reply_markup(p.raw("reply_markup"))
        reply_to = self._reply_target(p, user.id)
        self._check_rate("sendLocation", user.id)
        message = self._new_bot_message(
            user,
            "sendLocation",
            {"location": {"latitude": latitude, "longitude": longitude}},
            markup,
            reply_to,
            location=(latitude, longitude),
        )
        return copy.deepcopy(message.raw)

    async def _send_chat_action(self, p: Params) -> bool:
        self._chat(p.chat_id())
        if not p.opt_str("action"):
            raise bad_request("action is empty")
        return True
