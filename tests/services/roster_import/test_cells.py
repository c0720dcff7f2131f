"""Cell parsers: mobiles, USCCs, choices and names; any text gives a value or a clean refusal."""

from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from services.roster_import.cells import (
    Invalid,
    clean_cell,
    clean_text,
    grid_key,
    normalise_mobile,
    parse_industry,
    parse_mobile,
    parse_role,
    parse_scale,
    parse_uscc,
    person_name,
    town_name,
)
from services.roster_import.read import RosterRow, RosterSheet
from services.roster_import.validate import Errors, check_enterprise, check_staff
from services.roster_import.vocabulary import ENTERPRISE_HEADERS, PEOPLE_HEADERS, SheetKind


@pytest.mark.parametrize(
    ("text", "mobile"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        ("13812345678.0", "13812345678"),
        ("1381234567", None),
        ("23812345678", None),
        ("", None),
    ],
)
def test_normalise_mobile(text: str, mobile: str | None) -> None:
    assert normalise_mobile(text) == mobile


# Text as it comes out of spreadsheets: any Unicode, plus the digits, separators, full-width
# forms and invisible characters real rosters contain.
ROSTER_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(
    list("0123456789０１２３４５６７８９+-() .eE·・\u3000\u200b\ufeffABCDXYZ")
)
roster_text = st.text(ROSTER_ALPHABET, max_size=40)

PARSERS: list[Callable[[str], object]] = [
    lambda text: parse_uscc(text, False),
    lambda text: parse_uscc(text, True),
    parse_mobile,
    parse_industry,
    parse_scale,
    parse_role,
]


@pytest.mark.parametrize("parse", PARSERS)
@given(text=roster_text)
def test_every_parser_gives_a_value_or_a_chinese_reason(
    parse: Callable[[str], object], text: str
) -> None:
    value: object = None
    reason = ""
    try:
        value = parse(clean_text(text))
    except Invalid as refusal:
        reason = str(refusal)
    # Exactly one of the two, and a refusal is a sentence in Chinese.
    assert (value is None) == bool(reason)
    assert not reason or not reason.isascii()


@given(text=roster_text)
def test_normalise_mobile_is_eleven_digits_or_none(text: str) -> None:
    mobile = normalise_mobile(text)
    assert mobile is None or (len(mobile) == 11 and mobile.isascii() and mobile.isdigit())


@given(number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), style=st.integers(0, 4))
def test_a_mobile_survives_the_ways_people_write_it(number: str, style: int) -> None:
    written = [
        number,
        f"+86 {number[:3]}-{number[3:7]}-{number[7:]}",
        f"0086{number}",
        number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        f"{number}.0",
    ][style]
    assert normalise_mobile(written) == number


@given(body=st.from_regex(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True))
def test_a_valid_uscc_reads_back_whatever_its_spacing_and_case(body: str) -> None:
    code = body + uscc.calc_check_digit(body)
    assert parse_uscc(f" {code[:6]}-{code[6:]} ".lower(), False) == code


@given(text=roster_text)
def test_names_and_grid_keys_never_fail(text: str) -> None:
    cleaned = clean_text(text)
    assert " " not in town_name(cleaned).strip()
    assert isinstance(person_name(cleaned), str)
    assert isinstance(grid_key(cleaned), str)


@given(value=st.none() | st.booleans() | st.integers() | st.floats() | roster_text)
def test_any_cell_value_becomes_text(value: object) -> None:
    text, rounded = clean_cell(value)
    assert isinstance(text, str)
    assert isinstance(rounded, bool)


@given(cells=st.fixed_dictionaries({header: roster_text for header in ENTERPRISE_HEADERS}))
def test_any_enterprise_row_is_checked_without_an_exception(cells: dict[str, str]) -> None:
    errors = Errors()
    sheet = RosterSheet(SheetKind.ENTERPRISES, "企业", frozenset(cells), ())
    row = RosterRow(2, {header: clean_text(text) for header, text in cells.items()})
    checked = check_enterprise(sheet, row, errors)
    # Every column is either read or reported, never both and never neither.
    for column, value in [
        ("企业名称", checked.name),
        ("统一社会信用代码", checked.uscc),
        ("行业", checked.industry),
        ("乡镇街道", checked.town),
        ("统计员", checked.statistician),
        ("统计员手机", checked.mobile),
        ("规模", checked.scale),
    ]:
        assert (value is None) == errors.has(checked.at, column)


@given(cells=st.fixed_dictionaries({header: roster_text for header in PEOPLE_HEADERS}))
def test_any_people_row_is_checked_without_an_exception(cells: dict[str, str]) -> None:
    errors = Errors()
    sheet = RosterSheet(SheetKind.PEOPLE, "人员", frozenset(cells), ())
    row = RosterRow(2, {header: clean_text(text) for header, text in cells.items()})
    checked = check_staff(sheet, row, errors)
    for column, value in [("姓名", checked.name), ("手机", checked.mobile), ("角色", checked.role)]:
        assert (value is None) == errors.has(checked.at, column)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@settings(max_examples=200)
@given(
    body=st.from_regex(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True),
    at=st.integers(0, 17),
    shift=st.integers(1, len(_USCC_ALPHABET) - 1),
)
def test_a_uscc_with_one_character_changed_is_refused(body: str, at: int, shift: int) -> None:
    code = body + uscc.calc_check_digit(body)
    replacement = _USCC_ALPHABET[(_USCC_ALPHABET.index(code[at]) + shift) % len(_USCC_ALPHABET)]
    changed = code[:at] + replacement + code[at + 1 :]
    with pytest.raises(Invalid):
        parse_uscc(changed, False)
    # Full-width digits, as Chinese input methods type them, read as the code itself.
    assert parse_uscc(code.translate(_FULL_WIDTH_DIGITS).lower(), False) == code


@settings(max_examples=200)
@given(
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86)", "＋８６ "]),
    separator=st.sampled_from(["", " ", "-", "\u3000", "－", "\u00a0"]),
    full_width=st.booleans(),
    padding=st.sampled_from(["", " ", "\u200b", "\ufeff", "\t"]),
)
def test_a_mobile_reads_back_with_any_prefix_separator_and_width(
    number: str, prefix: str, separator: str, full_width: bool, padding: str
) -> None:
    grouped = separator.join([number[:3], number[3:7], number[7:]])
    written = prefix + (grouped.translate(_FULL_WIDTH_DIGITS) if full_width else grouped)
    assert normalise_mobile(padding + written + padding) == number


@settings(max_examples=200)
@given(
    st.text(st.sampled_from(list("0123456789٠١٢٣٤٥٦٧٨٩०१२+- ")), min_size=10, max_size=16)
    | st.text(max_size=2000)
)
@example("١٣٨١٢٣٤٥٦٧٨")
@example("1" * 5000)
def test_a_mobile_in_other_scripts_or_very_long_is_a_number_or_a_chinese_refusal(
    text: str,
) -> None:
    try:
        mobile: str | None = parse_mobile(clean_text(text))
    except Invalid as refusal:
        mobile, reason = None, str(refusal)
    else:
        reason = ""
    assert (mobile is None) == bool(reason)
    assert mobile is None or (mobile.isascii() and len(mobile) == 11)
    assert not reason or "手机号" in reason
