"""Uploaded photos: checked to be images, re-encoded as JPEG with EXIF (and GPS) stripped,
stored privately, and served only through views that check permission."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# What the message says we take. Pillow decodes with these decoders only, so a TIFF, GIF,
# WebP or anything else is refused whatever its name or content type says. (A phone camera's
# multi-picture JPEG opens as "MPO" through the JPEG decoder and is taken.)
FORMATS = ("JPEG", "PNG")
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600


def photo_store(*, upload: UploadedFile, folder: str) -> str:
    """Validate and re-encode; return the private file name. Bad input changes nothing."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(_("The photo is too large (at most 5 MB)."))
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The photo is too large (too many pixels)."))
            clean = ImageOps.exif_transpose(image).convert("RGB")
            clean.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata dropped
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not a photo we can read (use JPEG or PNG).")) from exc
    name = f"{folder}/{uuid.uuid4().hex}.jpg"
    from core.files import private_save

    return private_save(name, out.getvalue())
