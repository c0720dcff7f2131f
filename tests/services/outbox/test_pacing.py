"""Pacing on a fake clock: the rate per bot, one message per second per chat, flood waits."""

import pytest

from services.outbox.pacing import Pacer


def test_pacer_spaces_messages_evenly_at_the_rate() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    starts = [pacer.reserve(chat_id, now=100.0) for chat_id in range(50)]
    assert starts[0] == 100.0
    assert starts[-1] == pytest.approx(100.0 + 49 / 25)
    # Any one-second window holds at most 25 + 1 starts (both ends included).
    assert sum(1 for s in starts if 100.0 <= s < 101.0) == 25


def test_pacer_keeps_one_second_between_messages_in_a_chat() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    first = pacer.reserve(7, now=0.0)
    other = pacer.reserve(8, now=0.0)
    second = pacer.reserve(7, now=0.0)
    assert (first, other) == (0.0, pytest.approx(0.04))
    assert second == pytest.approx(1.0)


def test_pacer_spaces_a_chat_from_when_its_last_send_was_answered() -> None:
    # The first message's slot was 0.0 but it reached Telegram late (the shared budget, a
    # loaded machine): the chat's next message is a full second after the answer, not after
    # the slot, or Telegram would see two messages in that chat less than a second apart.
    pacer = Pacer(rate=25, chat_interval=1)
    assert pacer.reserve(7, now=0.0) == 0.0
    pacer.finished(7, now=0.6)
    assert pacer.reserve(7, now=0.7) == pytest.approx(1.6)
    # An answer never brings the chat's next message forward of its booked interval.
    assert pacer.reserve(8, now=2.0) == 2.0
    assert pacer.reserve(8, now=2.0) == pytest.approx(3.0)
    pacer.finished(8, now=2.1)
    assert pacer.reserve(8, now=2.2) == pytest.approx(4.0)


def test_pacer_a_chat_held_back_does_not_hold_back_the_others() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    busy = [pacer.reserve(7, now=0.0) for _ in range(3)]
    assert busy == [0.0, pytest.approx(1.0), pytest.approx(2.0)]
    # The next chat takes the next free slot, not one behind chat 7's third message.
    assert pacer.reserve(8, now=0.0) == pytest.approx(0.04)
    # A slot next to a booked one keeps the spacing.
    assert pacer.reserve(9, now=1.0) == pytest.approx(1.04)


def test_pacer_gives_no_burst_credit_after_idling() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    pacer.reserve(1, now=0.0)
    assert pacer.reserve(2, now=50.0) == 50.0
    assert pacer.reserve(3, now=50.0) == pytest.approx(50.04)


def test_pacer_pause_holds_everything() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    pacer.reserve(1, now=0.0)
    pacer.pause(until=5.0)
    assert pacer.reserve(2, now=1.0) == 5.0
    assert pacer.reserve(3, now=1.0) == pytest.approx(5.04)
    pacer.pause(until=2.0)  # an earlier end never shortens a pause
    assert pacer.paused_until == 5.0
