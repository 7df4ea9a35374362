import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import Resident, Station
from wishes.models import Wish
from wishes.services.lifecycle import needed_by_check

# Dates travel as ISO values in every language (a browser's date input reads only those).
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PHOTO_CONSENT = _("The resident agrees that this photo is shown on the public wish board")

# The browser offers only what core.images.photo_store takes; the server decides.
PHOTO_INPUT = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"})


class QuickSelect(forms.Select):
    """The board's filters are drawn on every request: built here in one pass rather than
    with a template per option (same markup, a tenth of the time)."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), mark_safe(" selected") if str(v) == chosen else "", label)
                for v, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final), options)


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=60, required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All")), *Wish.Category.choices],
        required=False,
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + [(s, Wish.Status(s).label) for s in Wish.PUBLIC_STATUSES],
        required=False,
        widget=QuickSelect,
    )
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.filter(is_active=True),
        required=False,
        empty_label=_("All"),
        widget=QuickSelect,
    )
    district = forms.ChoiceField(label=_("District"), required=False, widget=QuickSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The few stations are kept (accounts.selectors.stations_active) for both lists of
        choices; a chosen station is still checked against the database when the form is
        cleaned."""
        super().__init__(*args, **kwargs)
        stations = account_selectors.stations_active()
        station = self.fields["station"]
        station.widget.choices = [  # what is drawn; a choice is still checked by the queryset
            ("", station.empty_label),  # type: ignore[attr-defined]
            *((s.pk, station.label_from_instance(s)) for s in stations),  # type: ignore[attr-defined]
        ]
        districts = sorted({s.district for s in stations})
        self.fields["district"].choices = [("", _("All"))] + [(d, d) for d in districts]  # type: ignore[attr-defined]


class WishForm(forms.Form):
    title = forms.CharField(label=_("What is needed"), max_length=80)
    story = forms.CharField(
        label=_("Why (a few sentences)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Wish.Category.choices)
    kind = forms.ChoiceField(
        label=_("An item or money?"), choices=Wish.Kind.choices, widget=forms.RadioSelect
    )
    quantity = forms.IntegerField(
        label=_("How many (for an item)"), min_value=1, max_value=1000, required=False
    )
    target_amount = forms.DecimalField(
        label=_("Amount in yuan (for money)"),
        min_value=Decimal("1"),
        max_value=Decimal("20000"),
        decimal_places=2,
        required=False,
    )
    needed_by = forms.DateField(label=_("Needed by"), widget=DATE_INPUT)
    pseudonym = forms.CharField(label=_("Public name (e.g. 王奶奶)"), max_length=40, required=False)
    coarse_area = forms.CharField(
        label=_("Public area (e.g. 梅园社区)"), max_length=60, required=False
    )
    photo = forms.FileField(
        label=_("Photo (optional, JPEG or PNG, at most 5 MB)"), required=False, widget=PHOTO_INPUT
    )
    photo_public = forms.BooleanField(
        label=PHOTO_CONSENT,
        required=False,
        initial=False,
        help_text=_("If not ticked, only the station's staff see the photo."),
    )
    # One token per form shown: the same post sent twice makes one wish.
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = uuid.uuid4()

    def clean_needed_by(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data["needed_by"]
        needed_by_check(value)  # today to a year ahead, the service's own rule
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Wish.Kind.ITEM and not data.get("quantity"):
            self.add_error("quantity", _("Say how many are needed."))
        if data.get("kind") == Wish.Kind.MONEY and not data.get("target_amount"):
            self.add_error("target_amount", _("Say how much money is needed."))
        return data


class WorkerWishForm(WishForm):
    resident = forms.ModelChoiceField(
        label=_("For resident"), queryset=Resident.objects.none(), empty_label=None
    )
    consent = forms.ChoiceField(
        label=_("How the resident agreed"),
        choices=[(c, Wish.Consent(c).label) for c in ("in_person", "phone", "paper")],
        widget=forms.RadioSelect,
    )
    field_order = ["resident", "consent"]

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.filter(station=station)  # type: ignore[attr-defined]


class ResubmitForm(forms.Form):
    title = forms.CharField(label=_("What is needed"), max_length=80)
    story = forms.CharField(
        label=_("Why (a few sentences)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 5})
    )
    needed_by = forms.DateField(label=_("Needed by"), widget=DATE_INPUT)
    pseudonym = forms.CharField(label=_("Public name (e.g. 王奶奶)"), max_length=40)
    coarse_area = forms.CharField(label=_("Public area (e.g. 梅园社区)"), max_length=60)
    photo_public = forms.BooleanField(label=PHOTO_CONSENT, required=False)

    @staticmethod
    def initial_for(wish: Wish) -> dict[str, Any]:
        return {
            "title": wish.title,
            "story": wish.story,
            "needed_by": wish.needed_by,
            "pseudonym": wish.pseudonym,
            "coarse_area": wish.coarse_area,
            "photo_public": wish.photo_public,
        }


class VetForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("changes", _("Ask for changes")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the resident or worker"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    claim_days = forms.IntegerField(
        label=_("Days a claim may take"), min_value=1, max_value=90, initial=14
    )
    pseudonym = forms.CharField(
        label=_("Public name (check: no real name)"), max_length=40, required=False
    )
    coarse_area = forms.CharField(
        label=_("Public area (check: no house or lane number)"), max_length=60, required=False
    )


class GiveForm(forms.Form):
    give_as = forms.ChoiceField(label=_("Give as"), widget=forms.RadioSelect)
    show_name = forms.BooleanField(
        label=_("Show the name in public"),
        required=False,
        initial=False,
        help_text=_("If not ticked, the public sees “a caring company” or “a caring person”."),
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=Decimal("1"),
        max_value=Decimal("20000"),
        decimal_places=2,
        required=False,
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["give_as"].choices = choices  # type: ignore[attr-defined]
        self.fields["give_as"].initial = choices[-1][0] if choices else None


class FulfilForm(forms.Form):
    thank_you_note = forms.CharField(
        label=_("Thank-you note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = forms.FileField(
        label=_("Photo (optional, JPEG or PNG, at most 5 MB)"), required=False, widget=PHOTO_INPUT
    )
    photo_public = forms.BooleanField(
        label=_("The resident agreed to show this photo on the board"), required=False
    )
