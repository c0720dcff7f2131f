"""Reading a shared contact's number and masking it: any text gives a mobile or None."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.onboarding.phone import SharedContact, mask, read_mobile

MOBILES = st.from_regex(re.compile(r"1[3-9][0-9]{9}"), fullmatch=True)
SEPARATORS = st.sampled_from(["", " ", "-", "  "])
PREFIXES = st.sampled_from(["", "+86", "86", "0086", "+86 ", "+86-"])


@pytest.mark.parametrize(
    ("text", "mobile"),
    [
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("+1 415 555 0100", None),
        ("12812345678", None),
        ("", None),
        ("1" * 40, None),
    ],
)
def test_read_mobile(text: str, mobile: str | None) -> None:
    assert read_mobile(text) == mobile


@given(st.text(max_size=60))
def test_read_mobile_is_a_mobile_or_none(text: str) -> None:
    mobile = read_mobile(text)
    assert mobile is None or re.fullmatch(r"1[3-9][0-9]{9}", mobile)


@given(MOBILES, PREFIXES, SEPARATORS)
def test_every_way_telegram_writes_a_mobile_reads_back(
    mobile: str, prefix: str, separator: str
) -> None:
    written = prefix + separator.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert read_mobile(written) == mobile


@given(MOBILES)
def test_mask_shows_head_and_tail_only(mobile: str) -> None:
    masked = mask(mobile)
    assert masked == mobile[:3] + "****" + mobile[-4:]


@given(st.text(max_size=80))
def test_mask_never_shows_more_than_seven_digits(text: str) -> None:
    masked = mask(text)
    assert sum(ch.isdigit() for ch in masked) <= 7
    assert len(masked) <= 32


def test_only_an_unforwarded_own_contact_is_own() -> None:
    own = SharedContact(1, "a", "138", contact_user_id=1, forwarded=False)
    assert own.is_own
    assert not SharedContact(1, "a", "138", contact_user_id=2, forwarded=False).is_own
    assert not SharedContact(1, "a", "138", contact_user_id=None, forwarded=False).is_own
    assert not SharedContact(1, "a", "138", contact_user_id=1, forwarded=True).is_own
