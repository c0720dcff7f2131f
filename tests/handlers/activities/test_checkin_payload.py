"""The /start payload of a check-in link against an invitation token: any text gets an answer,
and the two kinds of payload never collide (property-based)."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers.activities.checkin import is_checkin_payload
from services.activities.codes import LINK_PREFIX, LINK_TOKEN_PATTERN
from services.onboarding import parse_token


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
@example("ci_" + "a" * 32)
@example("ci_" + "a" * 31)
@example("ci_" + "\u0000" * 32)
def test_any_payload_is_one_kind_or_neither(payload: str) -> None:
    checkin = is_checkin_payload(payload)
    assert isinstance(checkin, bool)
    # A check-in link is never taken for an invitation, nor an invitation for a check-in.
    assert not (checkin and parse_token(payload) is not None)


URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=URL_SAFE, min_size=32, max_size=32))
def test_every_issued_link_is_a_checkin_payload(token: str) -> None:
    assert LINK_TOKEN_PATTERN.fullmatch(token)
    assert is_checkin_payload(LINK_PREFIX + token)
    # The same 32 characters alone are an invitation token, not a check-in.
    assert parse_token(token) is not None
    assert not is_checkin_payload(token)
