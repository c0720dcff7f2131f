import enum
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.callback import MAX_CALLBACK_BYTES, CallbackData, CallbackDataError


class Step(enum.StrEnum):
    REFRESH = "r"
    QR = "q"


@dataclass(frozen=True)
class Sample(CallbackData, prefix="tsample"):
    item_id: int
    step: Step
    note: str | None = None
    on: bool = False


@dataclass(frozen=True)
class Bare(CallbackData, prefix="tbare"):
    pass


def test_pack_and_parse_round_trip() -> None:
    data = Sample(7, Step.QR, "x", on=True)
    assert data.pack() == "tsample:7:q:x:1"
    assert Sample.parse(data.pack()) == data
    assert Sample.parse(Sample(7, Step.REFRESH).pack()) == Sample(7, Step.REFRESH)
    assert Bare.parse(Bare().pack()) == Bare()


@pytest.mark.parametrize(
    "forged",
    ["tsample:7:z::0", "tsample:x:q::0", "tsample:7:q", "tsample:7:q::0:9", "tbare:1", "other:7"],
)
def test_forged_payloads_parse_to_none(forged: str) -> None:
    assert Sample.parse(forged) is None
    assert Bare.parse(forged) is None


def test_pattern_matches_only_its_prefix() -> None:
    assert Sample.pattern().match("tsample:1:q::0")
    assert not Sample.pattern().match("tsamplex:1")
    assert Bare.pattern().match("tbare")


def test_pack_refuses_what_telegram_would_refuse() -> None:
    with pytest.raises(CallbackDataError):
        Sample(1, Step.QR, "长" * MAX_CALLBACK_BYTES).pack()
    with pytest.raises(CallbackDataError):
        Sample(1, Step.QR, "a:b").pack()


def test_a_prefix_belongs_to_one_family() -> None:
    with pytest.raises(TypeError):

        @dataclass(frozen=True)
        class Clash(CallbackData, prefix="tsample"):
            other: int


@given(st.text(max_size=80))
def test_any_text_parses_to_a_value_or_none(text: str) -> None:
    for family in (Sample, Bare):
        parsed = family.parse(text)
        assert parsed is None or isinstance(parsed, family)


@given(
    st.integers(min_value=-(10**17), max_value=10**17),
    st.sampled_from(Step),
    st.none() | st.text(alphabet=st.characters(blacklist_characters=":"), min_size=1, max_size=8),
    st.booleans(),
)
def test_every_packed_value_parses_back(item: int, step: Step, note: str | None, on: bool) -> None:
    data = Sample(item, step, note, on)
    assert Sample.parse(data.pack()) == data


def test_pack_refuses_text_that_has_no_utf8() -> None:
    with pytest.raises(CallbackDataError):
        Sample(1, Step.QR, "\ud800").pack()
