import gettext
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def test_catalogues_compile_without_gettext_installed(tmp_path, monkeypatch, settings):  # type: ignore[no-untyped-def]
    """`make run` on a machine with only Python: the .mo files come from polib."""
    shutil.copytree(Path(settings.BASE_DIR) / "locale", tmp_path / "locale")
    for mo in (tmp_path / "locale").rglob("*.mo"):
        mo.unlink()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.setattr(
        "core.management.commands.compile_translations.shutil.which", lambda name: None
    )
    call_command("compile_translations")
    with open(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Skip to main content") == "跳到主要内容"
    assert catalogue.pgettext("wish status", "Open") != "Open"


def test_every_string_has_a_chinese_translation():
    import polib

    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"))
    missing = [entry.msgid for entry in po if not entry.translated() and not entry.obsolete]
    assert missing == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
