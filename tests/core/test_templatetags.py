"""The template tags every page uses: Chinese marked as Chinese on English pages (WCAG 3.1.2),
the error summary's list, and the wording of a missing answer."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from core.templatetags.wishpool import form_errors, zh


def _render(source: str, **context: object) -> str:
    return Template("{% load wishpool %}" + source).render(Context(context))


def test_chinese_on_a_chinese_page_is_left_as_it_is():
    with translation.override("zh-hans"):
        assert _render("{{ name|zh }}", name="王奶奶") == "王奶奶"


def test_chinese_on_an_english_page_is_marked_as_chinese():
    with translation.override("en"):
        assert _render("{{ name|zh }}", name="王奶奶 · 梅园社区") == (
            '<span lang="zh-Hans">王奶奶 · 梅园社区</span>'
        )


def test_text_without_chinese_is_left_alone_and_still_escaped():
    with translation.override("en"):
        assert _render("{{ name|zh }}", name="Acme <Ltd>") == "Acme &lt;Ltd&gt;"
        assert _render("{{ name|zh }}", name="") == ""


def test_typed_html_is_escaped_before_it_is_wrapped():
    with translation.override("en"):
        out = _render("{{ name|zh }}", name="<b>王</b>")
    assert "<b>" not in out and "&lt;b&gt;" in out and 'lang="zh-Hans"' in out


def test_mixed_text_has_each_chinese_run_marked():
    with translation.override("en"):
        out = _render("{{ name|zh }}", name="Wish: 一台电风扇 for 王奶奶")
    assert out == (
        'Wish: <span lang="zh-Hans">一台电风扇</span> for <span lang="zh-Hans">王奶奶</span>'
    )


def test_html_keeps_its_tags_and_attributes_untouched():
    with translation.override("en"):
        out = _render("{{ story|linebreaksbr|zh }}", story="夏天太热。\n风扇坏了。")
        rich = str(zh(mark_safe('<p>见<img alt="照片" src="/x.jpg">图</p>')))
    assert out == '<span lang="zh-Hans">夏天太热。</span><br><span lang="zh-Hans">风扇坏了。</span>'
    assert rich == (
        '<p><span lang="zh-Hans">见</span><img alt="照片" src="/x.jpg">'
        '<span lang="zh-Hans">图</span></p>'
    )


def test_the_filter_tag_marks_a_block_of_html():
    with translation.override("en"):
        out = _render("{% filter zh %}<p>社区{{ x }}</p>{% endfilter %}", x="新闻")
    assert out == '<p><span lang="zh-Hans">社区新闻</span></p>'


class _Form(forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    agree = forms.BooleanField()
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):  # type: ignore[no-untyped-def]
        raise forms.ValidationError("Whole form")


def test_error_summary_lists_every_error_with_the_id_of_its_control():
    form = _Form({})
    form.is_valid()
    items = form_errors(form)
    assert [i["id"] for i in items] == ["", "", "id_name", "id_kind_0", "id_agree"]
    assert items[0]["message"] == "Whole form"
    assert form_errors(_Form()) == []  # unbound: nothing to say
    assert form_errors(None) == []


@pytest.mark.parametrize("field", [forms.CharField(), forms.EmailField()])
def test_a_missing_answer_is_asked_for_in_our_words_not_the_admins(field):
    with translation.override("zh-hans"):
        with pytest.raises(forms.ValidationError) as raised:
            field.clean("")
        message = raised.value.messages[0]
    assert message != "必需字段"
    assert message == "请填写此项。"


def test_money_shows_yuan_with_its_sign_and_other_currencies_by_code():
    from decimal import Decimal

    from core.templatetags.wishpool import money

    assert money(Decimal("1234.5"), "CNY") == "¥1,234.50"
    assert money(Decimal("-80"), "cny") == "¥-80.00"
    assert money(Decimal("12"), "USD") == "12.00 USD"
    assert money("not a number", "CNY") == ""


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("zh-hans", "516300", "51.63 万元"),
        ("zh-hans", "516349.99", "51.63 万元"),
        ("zh-hans", "516350", "51.64 万元"),
        ("zh-hans", "10000", "1.00 万元"),
        ("zh-hans", "9999.5", "9,999.50 元"),
        ("zh-hans", "123456789", "12,345.68 万元"),
        ("en", "516300", "¥516,300.00"),
        ("zh-hans", "not money", ""),
    ],
)
def test_wan_formats_large_sums_the_chinese_way(language, value, shown):
    from django.utils import translation

    from core.templatetags.wishpool import wan

    with translation.override(language):
        assert wan(value) == shown
