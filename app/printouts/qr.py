"""QR codes drawn locally as SVG: no service sees which events a venue advertises."""

import segno


def qr_svg(url: str) -> str:
    """An inline ``<svg>`` that scales to its box (no width/height, a viewBox).

    The four-module quiet zone is the spec's minimum; phones fail to read a code printed
    tight against other ink. Error level M at least, boosted when the URL leaves room,
    survives a scuffed poster.
    """
    code = segno.make(url, error="m", micro=False)
    return str(
        code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff", title=f"QR code: {url}")
    )
