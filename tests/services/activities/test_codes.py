"""Rotating codes, the check-in link token and its QR; a typed code is read or refused."""

import struct
import unicodedata
import zlib
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from models.enums import ActivityKind
from models.tables import Activity
from services.activities.codes import (
    CODE_PATTERN,
    LINK_TOKEN_PATTERN,
    code_at,
    code_step,
    current_code,
    link_token,
    new_code_secret,
    parse_code,
    qr_png,
)
from tests.services.activities.support import NOW, PERIOD


def test_codes_rotate_and_are_six_digits() -> None:
    secret = new_code_secret()
    codes = [code_at(secret, step) for step in range(1000, 1010)]
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(set(codes)) > 5
    assert code_at(secret, 1000) == codes[0]  # deterministic
    step = code_step(NOW, PERIOD)
    shown = current_code(
        Activity(
            kind=ActivityKind.STUDY,
            title="t",
            starts_at=NOW,
            ends_at=NOW,
            place="p",
            organiser_id=1,
            code_secret=secret,
            link_token_hash="x",
        ),
        now=NOW,
        period_s=PERIOD,
    )
    assert shown.code == code_at(secret, step)
    assert shown.valid_until == datetime.fromtimestamp((step + 2) * PERIOD, tz=UTC)


def test_link_token_is_derived_and_url_safe() -> None:
    secret = new_code_secret()
    token = link_token(secret)
    assert token == link_token(secret)
    assert LINK_TOKEN_PATTERN.fullmatch(token)
    assert token != link_token(new_code_secret())


def test_qr_png_is_a_valid_png() -> None:
    png = qr_png("https://t.me/gridbot_test_bot?start=ci_" + "A" * 32)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height >= 21 * 8
    # Decompress the image data: one filter byte plus one byte per pixel on every row.
    idat_start = png.index(b"IDAT") + 4
    idat_length = struct.unpack(">I", png[idat_start - 8 : idat_start - 4])[0]
    raw = zlib.decompress(png[idat_start : idat_start + idat_length])
    assert len(raw) == height * (width + 1)
    assert length == 13


# Digits of several scripts: ASCII, full-width (Chinese input methods), Arabic-Indic, Devanagari.
_DIGIT_SETS = ("0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९")
_CODE_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(
    list("".join(_DIGIT_SETS) + " \t\n\u3000\u00a0\u200b\ufeff-")
)
_CODES = st.from_regex(r"[0-9]{6}", fullmatch=True)


@settings(max_examples=200)
@given(st.text(_CODE_ALPHABET, max_size=12) | st.text(max_size=2000))
@example("١٢٣٤٥٦")  # passed `\d`, then made hmac.compare_digest raise TypeError
@example("1" * 100_000)
def test_any_text_is_six_ascii_digits_or_none(text: str) -> None:
    code = parse_code(text)
    assert code is None or CODE_PATTERN.fullmatch(code)


@settings(max_examples=200)
@given(
    code=_CODES,
    digits=st.sampled_from(_DIGIT_SETS),
    gaps=st.lists(st.sampled_from(["", " ", "\u3000", "\u200b", "\n"]), min_size=7, max_size=7),
)
def test_a_code_reads_back_however_it_is_typed(code: str, digits: str, gaps: list[str]) -> None:
    written = code.translate(str.maketrans("0123456789", digits))
    spaced = gaps[0] + "".join(d + gap for d, gap in zip(written, gaps[1:], strict=True))
    assert parse_code(spaced) == code


@settings(max_examples=200)
@given(code=_CODES, data=st.data())
def test_a_code_with_a_digit_too_many_or_too_few_or_a_letter_is_refused(
    code: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, 5))
    letter = data.draw(st.characters(codec="utf-8").filter(lambda c: not _digit_or_gap(c)))
    assert parse_code(code[:at] + code[at + 1 :]) is None
    assert parse_code(code + code[at]) is None
    assert parse_code(code[:at] + letter + code[at + 1 :]) is None


def _digit_or_gap(char: str) -> bool:
    folded = unicodedata.normalize("NFKC", char)
    return not folded or all(
        c.isdecimal() or c.isspace() or unicodedata.category(c) == "Cf" for c in folded
    )
