"""Uploaded photos: checked to be images, re-encoded as JPEG with EXIF (and GPS) stripped,
stored privately, and served only through views that check permission."""

import io
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
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
    path = private_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return name


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``path`` through a temporary file and a rename, so readers see the old file or
    the whole new one, and two workers writing the same file leave one. Temporary files left
    by a worker killed mid-write are removed once they are a minute old."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.part")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    for stale in path.parent.glob(f"{path.name}.*.part"):
        if stale.stat().st_mtime < time.time() - 60:  # not one another worker is writing
            stale.unlink(missing_ok=True)
    return path


def private_path(name: str) -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError("path outside the private media root")
    return path
