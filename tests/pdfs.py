"""Reading our PDFs back as a person would: the text poppler extracts, the fonts it lists and
the QR codes a phone would scan from a printed page."""

import subprocess
from pathlib import Path


def pdf_text(pdf: Path | bytes, tmp_path: Path | None = None, *, layout: bool = True) -> str:
    """The PDF's text by pdftotext; bytes are written into tmp_path first."""
    path = _on_disk(pdf, tmp_path)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: Path) -> list[str]:
    """One line of pdffonts per embedded font (its two header lines dropped)."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[2:]


def qr_codes(pdf: Path | bytes, tmp_path: Path, *, dpi: int = 150) -> list[str]:
    """What zbarimg reads from every page printed at dpi, page by page (none read: [])."""
    path = _on_disk(pdf, tmp_path)
    prefix = tmp_path / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(prefix)], check=True)
    pages = sorted(str(p) for p in tmp_path.glob(f"{prefix.name}*.png"))
    # zbarimg exits 4 when a page holds no code; the caller's assertion says what was expected
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", *pages], capture_output=True, text=True, check=False
    )
    return out.stdout.split()


def _on_disk(pdf: Path | bytes, tmp_path: Path | None) -> Path:
    if isinstance(pdf, Path):
        return pdf
    if tmp_path is None:
        raise ValueError("PDF bytes need a tmp_path to be written into")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return path
