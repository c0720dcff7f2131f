"""editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage."""

import copy

from emulator.api.content import MessageContent
from emulator.limits import DELETE_WINDOW_SECONDS, checked_reply_markup
from emulator.params import Params
from emulator.records import FakeUser, SentMessage
from emulator.wire import JSONDict, bad_request

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class EditsApi(MessageContent):
    """The methods that change or delete a message already in a chat."""

    def _message_to_edit(self, p: Params) -> tuple[FakeUser, SentMessage]:
        if p.opt_str("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        user = self._chat(p.chat_id())
        message_id = p.req_int("message_id")
        message = self._bot_messages.get(user.id, {}).get(message_id)
        if message is None or message.deleted:
            if message_id in self._user_messages.get(user.id, {}):
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return user, message

    def _apply_edit(self, message: SentMessage, markup: JSONDict | None) -> JSONDict:
        message.reply_markup = markup
        if markup is not None:
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)
        message.edited = True
        message.edit_count += 1
        message.edit_date = self._now()
        message.raw["edit_date"] = message.edit_date
        self._bump(message)
        return copy.deepcopy(message.raw)

    async def _edit_message_text(self, p: Params) -> JSONDict:
        user, message = self._message_to_edit(p)
        if "text" not in message.raw:
            raise bad_request("there is no text in the message to edit")
        text, entities, parse_mode = self._formatted(p, "text", "entities", caption=False)
        markup = checked_reply_markup(p.raw("reply_markup"), inline_only=True)
        if (
            text == message.text
            and entities == message.entities
            and markup == message.raw.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        self._check_rate("editMessageText", user.id)
        message.text, message.entities, message.parse_mode = text, entities, parse_mode
        message.source_text = p.opt_str("text")
        message.raw["text"] = text
        if entities:
            message.raw["entities"] = entities
        else:
            message.raw.pop("entities", None)
        return self._apply_edit(message, markup)

    async def _edit_message_caption(self, p: Params) -> JSONDict:
        user, message = self._message_to_edit(p)
        if message.document is None and message.photo is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities, parse_mode = self._formatted(
            p, "caption", "caption_entities", caption=True
        )
        markup = checked_reply_markup(p.raw("reply_markup"), inline_only=True)
        if (
            (caption or None) == message.text
            and entities == message.entities
            and markup == message.raw.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        self._check_rate("editMessageCaption", user.id)
        message.text, message.entities, message.parse_mode = caption or None, entities, parse_mode
        message.source_text = p.opt_str("caption")
        for key in ("caption", "caption_entities"):
            message.raw.pop(key, None)
        if caption:
            message.raw["caption"] = caption
            if entities:
                message.raw["caption_entities"] = entities
        return self._apply_edit(message, markup)

    async def _edit_message_reply_markup(self, p: Params) -> JSONDict:
        user, message = self._message_to_edit(p)
        markup = checked_reply_markup(p.raw("reply_markup"), inline_only=True)
        if markup == message.raw.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        self._check_rate("editMessageReplyMarkup", user.id)
        return self._apply_edit(message, markup)

    async def _delete_message(self, p: Params) -> bool:
        user = self._chat(p.chat_id(), for_sending=False)
        message_id = p.req_int("message_id")
        bot_message = self._bot_messages.get(user.id, {}).get(message_id)
        user_message = self._user_messages.get(user.id, {}).get(message_id)
        if bot_message is not None and not bot_message.deleted:
            date = bot_message.date
        elif user_message is not None:
            date = int(user_message["date"])
        else:
            raise bad_request("message to delete not found")
        if self._now() - date > DELETE_WINDOW_SECONDS:
            raise bad_request("message can't be deleted")
        if bot_message is not None and not bot_message.deleted:
            bot_message.deleted = True
            self._bump(bot_message)
        else:
            self._user_messages[user.id].pop(message_id)
        return True
