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


def test_one_english_word_for_different_things_reads_right_in_chinese():
    """The word "From" is a donor on the transparency page, a first day on a loan or report, and a
    warehouse on a transfer: each has its own Chinese."""
    from django.utils import translation

    from lending.forms import LoanRequestForm, TransferForm
    from reports.views import PeriodForm

    with translation.override("zh-hans"):
        labels = {
            str(LoanRequestForm().fields["starts_on"].label),
            str(PeriodForm().fields["start"].label),
            str(TransferForm().fields["source"].label),
            translation.gettext("From"),
        }
        assert labels == {"起始日期", "调出仓库", "捐赠方"}
        assert str(LoanRequestForm().fields["ends_on"].label) == "结束日期"
