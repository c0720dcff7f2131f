"""Proofs of presence, both derived from the activity's random `code_secret`.

- the rotating 6-digit code: HMAC-SHA256(code_secret, time step) truncated like TOTP, with one
  step every `checkin_code_seconds`. The current and the previous step are accepted, so a
  forwarded code stops working after at most two periods.
- the check-in link `?start=ci_<token>` (its QR is shown in the room): the token is
  HMAC-SHA256(code_secret, "checkin-link"), so the organiser can show it again at any time
  while the database keeps only its SHA-256. The link does not rotate; an activity with a
  location additionally asks for the member's location and accepts only within the radius.
"""

import base64
import hashlib
import hmac
import re
import secrets
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import qrcode

from core.buttons import deep_link
from models.tables import Activity

LINK_PREFIX = "ci_"
LINK_TOKEN_LENGTH = 32
LINK_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
# ASCII digits only: `\d` also takes other scripts' digits, which hmac.compare_digest refuses
# with a TypeError. parse_code turns those into ASCII first.
CODE_PATTERN = re.compile(r"^[0-9]{6}$")
CODE_LENGTH = 6


def parse_code(text: str) -> str | None:
    """The 6 ASCII digits of a code as typed: spaces anywhere ("123 456"), full-width
    ("１２３４５６") or other scripts' digits ("١٢٣٤٥٦") and invisible characters pasted
    along are accepted; None if `text` is not a 6-digit code."""
    compact = "".join(
        char
        for char in unicodedata.normalize("NFKC", text)
        if not char.isspace() and unicodedata.category(char) != "Cf"
    )
    if len(compact) != CODE_LENGTH or not all(char.isdecimal() for char in compact):
        return None
    return "".join(str(unicodedata.decimal(char)) for char in compact)


def new_code_secret() -> str:
    return secrets.token_hex(32)


def code_step(now: datetime, period_s: int) -> int:
    return int(now.timestamp()) // period_s


def code_at(secret: str, step: int) -> str:
    """The 6-digit code of one time step (RFC 4226 dynamic truncation over HMAC-SHA256)."""
    digest = hmac.new(bytes.fromhex(secret), step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
    return f"{value % 1_000_000:06d}"


def codes_between(secret: str, first: int, last: int) -> list[tuple[int, str]]:
    """(step, code) of every step in [first, last]: `code_at` of each, with the key set up
    once (for the code index, which derives thousands at a time)."""
    keyed = hmac.new(bytes.fromhex(secret), digestmod=hashlib.sha256)
    found = []
    for step in range(first, last + 1):
        one = keyed.copy()
        one.update(step.to_bytes(8, "big"))
        digest = one.digest()
        offset = digest[-1] & 0x0F
        value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
        found.append((step, f"{value % 1_000_000:06d}"))
    return found


@dataclass(frozen=True)
class ShownCode:
    code: str
    # The code is accepted until then (the end of the step after the current one).
    valid_until: datetime


def current_code(activity: Activity, *, now: datetime, period_s: int) -> ShownCode:
    step = code_step(now, period_s)
    return ShownCode(
        code=code_at(activity.code_secret, step),
        valid_until=datetime.fromtimestamp((step + 2) * period_s, tz=UTC),
    )


def link_token(secret: str) -> str:
    """The check-in link's token, derived from the secret so that it can be shown again."""
    digest = hmac.new(bytes.fromhex(secret), b"gridbot/checkin-link", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:LINK_TOKEN_LENGTH]


def checkin_link(bot_username: str, activity: Activity) -> str:
    return deep_link(bot_username, LINK_PREFIX + link_token(activity.code_secret))


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """A QR code of `data` as PNG bytes (black on white, 8-bit greyscale, 4-module border)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix) * scale
    rows = bytearray()
    for modules in matrix:
        line = b"\x00" + b"".join((b"\x00" if dark else b"\xff") * scale for dark in modules)
        rows += line * scale

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFF_FFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )
