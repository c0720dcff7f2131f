"""/handover's text: any input gives a (person id, successor) or None, never an exception, and
every successor fits [确认交接]'s callback data."""

from hypothesis import given
from hypothesis import strategies as st

from services.people import Successor, confirm_keyboard, parse_handover, parse_successor


def test_examples() -> None:
    assert parse_handover("12 张三 13812345678") == (12, Successor("张三", "13812345678"))
    assert parse_handover("12 欧阳·娜娜，+86 138-1234-5678") == (
        12,
        Successor("欧阳·娜娜", "13812345678"),
    )
    assert parse_handover("12 张三") is None
    assert parse_handover("x 张三 13812345678") is None
    assert parse_handover("0 张三 13812345678") is None
    assert parse_successor("张三:13812345678") == Successor("张三", "13812345678")
    assert parse_successor("张 三 13812345678") is None
    assert parse_successor("一二三四五六七八九十一 13812345678") is None


@given(st.text(max_size=120))
def test_any_text_parses_or_is_refused(text: str) -> None:
    parsed = parse_handover(text)
    if parsed is not None:
        person_id, successor = parsed
        assert person_id >= 1
        assert len(successor.mobile) == 11
        # Packing raises for a payload over 64 bytes or with a ":": it must not.
        data = confirm_keyboard(person_id, successor)[0][0].data
        assert data is not None
        data.pack()


@given(
    st.integers(min_value=1, max_value=999_999_999),
    st.text(alphabet="张王李欧阳·AbZ", min_size=1, max_size=10),
)
def test_longest_payloads_fit(person_id: int, name: str) -> None:
    parsed = parse_handover(f"{person_id} {name} 13812345678")
    assert parsed == (person_id, Successor(name, "13812345678"))
    data = confirm_keyboard(person_id, parsed[1])[0][0].data
    assert data is not None
    assert len(data.pack().encode()) <= 64
