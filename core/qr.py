"""QR codes for printed pages (receipts, equipment labels, posters), as PNG data URIs."""

import base64
import io

import qrcode


def qr_data_uri(text: str, *, box_size: int = 8) -> str:
    """A PNG lays out faster in WeasyPrint than the same QR as SVG paths."""
    image = qrcode.make(text, box_size=box_size, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
