"""Rotating codes, the check-in link token and its QR."""

import struct
import zlib
from datetime import UTC, datetime

from models.enums import ActivityKind
from models.tables import Activity
from services.activities.codes import (
    LINK_TOKEN_PATTERN,
    code_at,
    code_step,
    current_code,
    link_token,
    new_code_secret,
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
