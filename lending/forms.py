import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.images import get_image_model
from wagtail.images.widgets import AdminImageChooser

from accounts.models import Organisation, Resident, Station, Warehouse
from charity.models import StockLot
from lending.models import Condition, EquipmentType

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoanRequestForm(forms.Form):
    type = forms.ModelChoiceField(
        label=_("Equipment"), queryset=EquipmentType.objects.all(), to_field_name="slug"
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.filter(is_active=True, warehouse__isnull=False)
    )
    starts_on = forms.DateField(label=pgettext_lazy("first day", "From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=pgettext_lazy("last day", "Until"), widget=DATE_INPUT)

    def __init__(self, *args: Any, residents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if residents is not None:
            self.fields["resident"] = forms.ModelChoiceField(
                label=_("For resident"), queryset=residents, empty_label=None
            )
            self.order_fields(["resident"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return data


def residents_field_queryset(station: Station) -> Any:
    return Resident.objects.filter(station=station).order_by("pseudonym")


class TagForm(forms.Form):
    tag = forms.CharField(
        label=_("Item tag (scan the QR label or type it)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos in one field (the browser offers JPEG and PNG; core.images decides)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", PhotosInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > 3:
            raise forms.ValidationError(_("At most three photos."))
        return [super(PhotosField, self).clean(f, initial) for f in files]


class CheckinForm(forms.Form):
    condition = forms.ChoiceField(
        label=_("Condition"), choices=Condition.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (what is damaged)"), max_length=255, required=False)
    photos = PhotosField(
        label=_("Photos (optional, up to three, JPEG or PNG, at most 5 MB each)"), required=False
    )


class InspectForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Inspection"),
        choices=[("pass", _("Clean and safe: it can go out again")), ("retire", _("Retire it"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class AssessForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Needs assessment"),
        choices=[("approve", _("Needed: it can be lent")), ("refuse", _("Not suitable"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What the visit found"), max_length=255)


class RenewForm(forms.Form):
    days = forms.IntegerField(
        label=_("Renew for (days)"),
        min_value=1,
        max_value=90,
        initial=14,
        help_text=_("Only when nobody is waiting for this equipment."),
    )
    # the due date shown: a second click of the same form renews nothing more
    from_end = forms.DateField(widget=forms.HiddenInput)


class UrgencyForm(forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        coerce=int,
        choices=[
            (0, _("Ordinary")),
            (1, _("Soon")),
            (2, _("Urgent")),
            (3, _("Most urgent (e.g. home from hospital)")),
        ],
    )


class DepositForm(forms.Form):
    kept = forms.DecimalField(
        label=_("Keep for damage (yuan)"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("0 returns the whole deposit."),
    )
    reason = forms.CharField(
        label=_("Why (the borrower sees this)"),
        max_length=255,
        required=False,
    )

    def __init__(self, *args: Any, deposit: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kept"].validators.append(MaxValueValidator(deposit))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kept") and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("Say why part of the deposit is kept: the borrower sees it.")
            )
        return data


class TransferForm(forms.Form):
    source = forms.ModelChoiceField(
        label=pgettext_lazy("warehouse", "From"), queryset=Warehouse.objects.all()
    )
    destination = forms.ModelChoiceField(
        label=pgettext_lazy("warehouse", "To"), queryset=Warehouse.objects.all()
    )
    type = forms.ModelChoiceField(label=_("Equipment"), queryset=EquipmentType.objects.all())
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=200, initial=1)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") and data.get("source") == data.get("destination"):
            self.add_error("destination", _("Choose two different warehouses."))
        return data


class ReceiveForm(forms.Form):
    """The count check: tick each item that arrived (or scan its tag into the box)."""

    def __init__(self, *args: Any, tags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["arrived"] = forms.MultipleChoiceField(
            label=_("Items that arrived"),
            choices=[(t, t) for t in tags],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )


class FromStockForm(forms.Form):
    lot = forms.ModelChoiceField(
        label=_("Donated goods in stock"), queryset=StockLot.objects.none()
    )
    type = forms.ModelChoiceField(label=_("Equipment"), queryset=EquipmentType.objects.all())
    tags = forms.CharField(
        label=_("Tags, one per item"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Separate them with spaces, commas or new lines."),
    )

    def __init__(self, *args: Any, lots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots  # type: ignore[attr-defined]

    def clean_tags(self) -> list[str]:
        tags = [t for t in re.split(r"[\s,，、]+", self.cleaned_data["tags"]) if t]
        if not tags:
            raise forms.ValidationError(_("Give a tag for each item."))
        if len(tags) > 200 or any(len(t) > 20 for t in tags):
            raise forms.ValidationError(_("At most 200 tags of up to 20 characters."))
        return tags


class EquipmentTypeForm(forms.Form):
    """A type's names, price and photo (staff screen); the slug is fixed once made."""

    name = forms.CharField(label=_("Name (Chinese)"), max_length=60)
    name_en = forms.CharField(label=_("Name (English)"), max_length=60)
    slug = forms.SlugField(
        label=_("Address"), max_length=40, help_text=_("e.g. wheelchair: /lending/wheelchair/")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    daily_fee = forms.DecimalField(
        label=_("Fee per day (yuan)"), min_value=0, max_value=1000, decimal_places=2
    )
    deposit = forms.DecimalField(
        label=_("Refundable deposit (yuan)"), min_value=0, max_value=20000, decimal_places=2
    )
    max_days = forms.IntegerField(label=_("Longest loan (days)"), min_value=1, max_value=365)
    needs_assessment = forms.BooleanField(
        label=_("A worker assesses the need at home first (e.g. care beds)"), required=False
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    photo = forms.ModelChoiceField(
        label=_("Photo"),
        queryset=get_image_model().objects.all(),
        required=False,
        widget=AdminImageChooser,
    )

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["slug"]


class ItemAddForm(forms.Form):
    type = forms.ModelChoiceField(label=_("Equipment"), queryset=EquipmentType.objects.all())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all())
    tag = forms.CharField(label=_("Tag"), max_length=20)


class LendInForm(ItemAddForm):
    owner_organisation = forms.ModelChoiceField(
        label=_("Lent by (company)"), queryset=Organisation.objects.all(), required=False
    )
    owner_email = forms.EmailField(label=_("Or lent by (person's e-mail)"), required=False)
    lent_until = forms.DateField(
        label=_("Lent until"), widget=forms.DateInput(attrs={"type": "date"})
    )
