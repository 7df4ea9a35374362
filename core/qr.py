"""QR codes for printed pages (receipts, equipment labels, posters), as PNG data URIs."""

import base64
import io
from functools import lru_cache

import qrcode

# Choosing the best of the eight masks costs three quarters of the time of a code; any mask
# is valid, and readers read this one as well.
MASK = 2


@lru_cache(maxsize=512)
def qr_data_uri(text: str, *, box_size: int = 8) -> str:
    """A PNG lays out faster in WeasyPrint than the same QR as SVG paths. Kept per process:
    a poster, a label sheet or a reprint asks for the same code again."""
    code = qrcode.QRCode(box_size=box_size, border=1, mask_pattern=MASK)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
