"""The PDFs' own font: Noto Sans CJK SC cut down to the characters Chinese text uses (the
GB 2312 hanzi, Latin, punctuation), built once from the font installed on the host.

WeasyPrint subsets every font it embeds, on every PDF, and its cost grows with the glyph
count of the source: the full CJK font (65,000 glyphs) took about a third of a receipt's
render. The cut-down font has about 7,600. A character it lacks (a rare name) is drawn from
the full font next in the templates' font list, so nothing is lost; that PDF then embeds both.
See docs/decisions/0022-pdf-font-subset.md.
"""

import atexit
import io
import logging
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from core.files import write_atomically

logger = logging.getLogger(__name__)

FAMILY = "Wishpool PDF Sans"
WEIGHTS = {"normal": "Regular", "bold": "Bold"}  # CSS weight: the source's style
VERSION = 1  # the character set below: a change builds the font anew

_RANGES = (
    (0x20, 0x7F),  # ASCII
    (0xA0, 0x180),  # Latin-1 and Latin Extended-A
    (0x2000, 0x2070),  # general punctuation
    (0x2100, 0x2200),  # letter-like symbols, number forms, arrows
    (0x2460, 0x24A0),  # circled numbers
    (0x3000, 0x3040),  # CJK symbols and punctuation
    (0xFF00, 0xFFF0),  # full-width forms
)


def _characters() -> set[int]:
    chars = {cp for start, end in _RANGES for cp in range(start, end)}
    for cp in range(0x4E00, 0xA000):  # the GB 2312 hanzi (6,763): nearly all text in use
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.add(cp)
    return chars


def font_path(style: str = "Regular") -> Path:
    return Path(settings.WISHPOOL_PDF_FONT_DIR) / f"pdf-sans-sc-{style.lower()}-v{VERSION}.otf"


def _source(style: str) -> tuple[Path, int] | None:
    """The installed Noto Sans CJK SC of a style (file and index in its collection), if any."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    # a fixed program and pattern: no input of anyone's reaches the command line
    found = subprocess.run(  # noqa: S603
        [
            fc_match,
            "--format=%{file}\t%{index}\t%{family}\t%{style}",
            f"Noto Sans CJK SC:style={style}",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\t")
    if (
        len(found) != 4
        or "Noto Sans CJK SC" not in found[2].split(",")
        or style not in found[3].split(",")
    ):
        return None
    return Path(found[0]), int(found[1] or 0)


def pdf_fonts_build(*, force: bool = False) -> dict[str, Path]:
    """Build the cut-down fonts (a few seconds each) unless they exist: CSS weight → file.
    Empty when the host has no Noto Sans CJK SC (PDFs then use the host's fonts as they are);
    a weight the host lacks is left to the next font in the templates' list."""
    built = {}
    for weight, style in WEIGHTS.items():
        path = font_path(style)
        if force or not path.exists():
            source = _source(style)
            if source is None:
                logger.warning("Noto Sans CJK SC %s is not installed: not in the PDF font", style)
                continue
            _cut(source, path)
        built[weight] = path
    return built


def _cut(source: tuple[Path, int], path: Path) -> None:
    from fontTools import subset

    options = subset.Options()
    options.font_number = source[1]
    options.layout_features = ["*"]  # shaping (punctuation widths, vertical forms) as before
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source[0]), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_characters())
    subsetter.subset(font)
    data = io.BytesIO()
    font.save(data)
    # several processes may find the font missing at once: each writes its own temporary
    # file and renames it, so a reader never sees half a font
    write_atomically(path, data.getvalue())


_made: dict[int, tuple[Any, Any] | tuple[None, None]] = {}
_made_lock = threading.Lock()


def pdf_stylesheet() -> tuple[Any, Any] | tuple[None, None]:
    """(font configuration, stylesheet declaring FAMILY), made once per thread (a worker with
    a thread pool renders in several; Pango's font map is not shared between them); the fonts
    are built here if ``manage.py pdf_fonts`` has not built them yet."""
    key = threading.get_ident()
    made = _made.get(key)
    if made is None:
        made = _stylesheet_make()
        with _made_lock:
            if not _made:
                # let go of them while the interpreter still works: their clean-up removes
                # a folder
                atexit.register(_made.clear)
            _made[key] = made
    return made


def _stylesheet_make() -> tuple[Any, Any] | tuple[None, None]:
    try:
        paths = pdf_fonts_build()
    except Exception:  # a broken font file must not stop receipts: they use the host's fonts
        logger.exception("The PDF font could not be built")
        paths = {}
    if not paths:
        return None, None
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    faces = "".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.resolve().as_uri()}"); }}'
        for weight, path in paths.items()
    )
    return fonts, CSS(string=faces, font_config=fonts)
