"""answerCallbackQuery and answerInlineQuery."""

from emulator.api.content import MessageContent
from emulator.params import Params
from emulator.records import CallbackAnswer, InlineAnswer
from emulator.wire import bad_request

_CALLBACK_INVALID = "query is too old and response timeout expired or query ID is invalid"


class AnswersApi(MessageContent):
    """The bot's answers to the callback and inline queries users sent."""

    async def _answer_callback_query(self, p: Params) -> bool:
        query_id = p.opt_str("callback_query_id") or ""
        if query_id not in self._pending_callbacks:
            raise bad_request(_CALLBACK_INVALID)
        text = p.opt_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=p.opt_bool("show_alert"),
                url=p.opt_str("url"),
                cache_time=p.opt_int("cache_time"),
            )
        )
        self._answers_signal.notify()
        return True

    async def _answer_inline_query(self, p: Params) -> bool:
        query_id = p.opt_str("inline_query_id") or ""
        if query_id not in self._pending_inline:
            raise bad_request(_CALLBACK_INVALID)
        results = p.opt_json("results", list) or []
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id", ""))
            if not result_id or len(result_id.encode()) > 64 or result_id in seen:
                raise bad_request(
                    "RESULT_ID_INVALID" if result_id not in seen else "RESULT_ID_DUPLICATE"
                )
            seen.add(result_id)
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                # The shared message is checked like a sendMessage text.
                self._formatted(Params(content), "message_text", "entities", caption=False)
        self._pending_inline.discard(query_id)
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=results,
                cache_time=p.opt_int("cache_time"),
                is_personal=p.opt_bool("is_personal"),
                next_offset=p.opt_str("next_offset"),
                button=p.opt_json("button", dict),
            )
        )
        self._answers_signal.notify()
        return True
