"""The PDFs' cut-down font: the characters Chinese text uses, far fewer glyphs than its source."""

import pytest
from fontTools.ttLib import TTFont

from core import pdf_fonts

pytestmark = pytest.mark.cjk_pdf


def test_the_cut_down_font_keeps_gb2312_and_drops_the_rest(tmp_path):
    source = pdf_fonts._source("Regular")
    assert source is not None
    path = tmp_path / "sans.otf"
    pdf_fonts._cut(source, path)
    font = TTFont(str(path))
    cmap = font.getBestCmap()
    for char in "捐赠收据社区资金池壹仟贰佰叁拾肆元伍角陆分¥，。（）Aa1":
        assert ord(char) in cmap, char
    assert ord("㛃") not in cmap  # not GB 2312: drawn from the full font
    assert font["maxp"].numGlyphs < 20_000  # of 65,535 (with the shaping variants)
    full = pdf_fonts._source("Regular")
    assert full is not None and full[0].stat().st_size > 4 * path.stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == ["sans.otf"]  # no temporary file left


def test_without_noto_cjk_no_font_is_declared(settings, tmp_path, monkeypatch):
    settings.WISHPOOL_PDF_FONT_DIR = str(tmp_path)
    monkeypatch.setattr(pdf_fonts, "_source", lambda style: None)  # a host without the font
    assert pdf_fonts.pdf_fonts_build() == {}
    assert list(tmp_path.iterdir()) == []
