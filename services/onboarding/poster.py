"""The printable join poster for a grid meeting: the town's name, the QR code of
t.me/<bot>?start=join and three lines on binding by phone, as an A4 PNG."""

import io

import qrcode
from matplotlib.figure import Figure

from core.buttons import deep_link
from services.onboarding import texts
from services.onboarding.phone import JOIN_PAYLOAD
from services.oversight.chart import chinese_font

# A4 portrait at 150 dpi: sharp when printed, small enough to send in the chat.
PAGE_INCHES = (8.27, 11.69)
DPI = 150


def join_link(bot_username: str, town_id: int | None = None) -> str:
    """t.me/<bot>?start=join, or join_<town id> for a town's poster."""
    return deep_link(bot_username, JOIN_PAYLOAD if town_id is None else f"{JOIN_PAYLOAD}_{town_id}")


def poster_png(*, town: str, town_id: int, bot_username: str, city: str) -> bytes:
    """The poster as PNG bytes."""
    font = chinese_font()
    link = join_link(bot_username, town_id)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(link)
    code.make(fit=True)
    matrix = [[0.0 if dark else 1.0 for dark in row] for row in code.get_matrix()]

    figure = Figure(figsize=PAGE_INCHES, dpi=DPI)
    figure.text(
        0.5,
        0.93,
        texts.POSTER_TITLE.format(city=city, town=town),
        ha="center",
        fontproperties=font,
        fontsize=26,
    )
    figure.text(0.5, 0.885, texts.POSTER_SUBTITLE, ha="center", fontproperties=font, fontsize=15)
    axes = figure.add_axes((0.2, 0.36, 0.6, 0.6 * PAGE_INCHES[0] / PAGE_INCHES[1] * 1.0))
    axes.imshow(matrix, cmap="gray", interpolation="nearest", vmin=0, vmax=1)
    axes.set_axis_off()
    for index, line in enumerate(texts.POSTER_STEPS):
        figure.text(0.1, 0.27 - index * 0.05, line, fontproperties=font, fontsize=15)
    figure.text(0.5, 0.08, link, ha="center", fontsize=12, family="monospace")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
