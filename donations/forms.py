from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User, Warehouse
from charity.models import Fund
from core.templatetags.wishpool import zh
from donations import limits
from donations.models import Donation, GoodsIntake, Pledge

PRESETS = [Decimal("100"), Decimal("500"), Decimal("1000"), Decimal("5000")]


class PledgeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What will you give?"),
        choices=Pledge.Kind.choices,
        widget=forms.RadioSelect,
        initial="money",
    )
    preset = forms.ChoiceField(
        label=_("Amount"),
        choices=[*[(str(p), f"¥{p:,.0f}") for p in PRESETS], ("other", _("Another amount"))],
        widget=forms.RadioSelect,
        required=False,
        initial="500",
    )
    amount = forms.DecimalField(
        label=_("Another amount (yuan)"),
        min_value=limits.MIN_AMOUNT,
        max_value=limits.MAX_ONLINE_AMOUNT,
        decimal_places=2,
        required=False,
        help_text=_("An amount typed here is the amount given, whatever is chosen above."),
    )
    interval = forms.ChoiceField(
        label=_("How often"),
        choices=Pledge.Interval.choices,
        widget=forms.RadioSelect,
        initial="once",
        help_text=_(
            "Monthly and yearly gifts are by card; one-time gifts also by Alipay or WeChat Pay."
        ),
    )
    fund = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Fund.objects.none(), empty_label=None
    )
    give_as = forms.ChoiceField(label=_("Give as"), widget=forms.RadioSelect)
    show_name = forms.BooleanField(
        label=_("Show our name in public"),
        required=False,
        initial=False,
        help_text=_(
            "If not ticked, the public sees “a caring company” or “a caring person” instead."
        ),
    )
    goods_description = forms.CharField(
        label=_("Goods (e.g. power strips)"), max_length=200, required=False
    )
    goods_quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=limits.MAX_QUANTITY, required=False
    )
    goods_unit_value = forms.DecimalField(
        label=_("Estimated value of each (yuan)"),
        min_value=Decimal("0.01"),
        max_value=limits.MAX_UNIT_VALUE,
        decimal_places=2,
        required=False,
    )

    MONEY_FIELDS = ("preset", "amount", "interval")
    GOODS_FIELDS = ("goods_description", "goods_quantity", "goods_unit_value")

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str]],
        organisations: dict[str, Organisation],
        kind: str | None = None,
        **kwargs: Any,
    ) -> None:
        """choices and organisations come from donations.selectors.giving_identities.

        The form comes in two steps. Until money or goods is chosen (``kind``, or the posted
        kind) ``self.chosen_kind`` is None and only the choice is asked. Once it is chosen, it
        is carried in a hidden field and only that kind's fields remain: what is posted for
        the other kind is ignored.
        """
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Fund.objects.filter(is_published=True)  # type: ignore[attr-defined]
        self.fields["fund"].initial = Fund.objects.filter(code="general").first()
        # The names are people's and companies' own, usually Chinese: marked so on /en/.
        self.fields["give_as"].choices = [(value, zh(label)) for value, label in choices]  # type: ignore[attr-defined]
        self.fields["give_as"].initial = choices[-1][0]
        self.organisations = organisations
        chosen = self.data.get("kind") if self.is_bound else kind
        self.chosen_kind: str | None = chosen if chosen in Pledge.Kind.values else None
        if self.chosen_kind is not None:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = self.chosen_kind
            other = (
                self.GOODS_FIELDS if self.chosen_kind == Pledge.Kind.MONEY else self.MONEY_FIELDS
            )
            for name in other:
                del self.fields[name]

    @property
    def kind_label(self) -> str:
        return str(Pledge.Kind(self.chosen_kind).label) if self.chosen_kind else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Pledge.Kind.MONEY:
            # What is typed is what is given: a typed amount always wins over the buttons,
            # and the next page shows it once more, big, before anything is paid.
            preset = data.get("preset")
            if data.get("amount"):
                pass
            elif "amount" in self.errors:
                pass  # the typed amount is refused with its own message; never guess
            elif preset and preset != "other":
                data["amount"] = Decimal(preset)
            else:
                self.add_error("amount", _("Enter an amount, or choose one above."))
        elif data.get("kind") == Pledge.Kind.GOODS:
            if not (data.get("goods_description") or "").strip():
                self.add_error("goods_description", _("Describe the goods."))
            if not data.get("goods_quantity"):
                self.add_error("goods_quantity", _("Enter the quantity."))
            data["interval"] = Pledge.Interval.ONCE
        data["organisation"] = self.organisations.get(data.get("give_as", ""))
        return data


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund (yuan)"),
        min_value=Decimal("0.01"),
        max_value=limits.MAX_OFFLINE_AMOUNT,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why it was recorded in error"), max_length=200)


class DonationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a gift"),
        required=False,
        max_length=100,
        help_text=_("Donor name or e-mail, receipt number, bank reference, Stripe id or #number"),
    )


class OfflineIncomeForm(forms.Form):
    donor_email = forms.EmailField(label=_("Donor's e-mail (a person)"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("or member company"), queryset=Organisation.objects.all(), required=False
    )
    fund = forms.ModelChoiceField(
        label=_("Purpose"),
        queryset=Fund.objects.exclude(kind=Fund.Kind.EARMARKED),
        empty_label=None,
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=Decimal("0.01"),
        max_value=limits.MAX_OFFLINE_AMOUNT,
        decimal_places=2,
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            (Donation.Method.BANK_TRANSFER, _("Bank transfer")),
            (Donation.Method.CASH, _("Cash")),
        ],
    )
    reference = forms.CharField(label=_("Bank reference or cash slip number"), max_length=80)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    show_name = forms.BooleanField(
        label=_("Show the donor's name in public"), required=False, initial=False
    )

    def clean_received_on(self) -> Any:
        value = self.cleaned_data["received_on"]
        error = limits.received_on_error(value)
        if error:
            raise forms.ValidationError(error)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("donor_email")) == bool(data.get("organisation")):
            raise forms.ValidationError(_("Give either a person's e-mail or a member company."))
        if data.get("donor_email"):
            user = User.objects.filter(email__iexact=data["donor_email"]).first()
            if user is None:
                self.add_error("donor_email", _("No account uses this e-mail address."))
            data["user"] = user
        return data


class GoodsIntakeForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity received"), min_value=1, max_value=limits.MAX_QUANTITY
    )
    condition = forms.ChoiceField(label=_("Condition"), choices=GoodsIntake.Condition.choices)
    unit_value = forms.DecimalField(
        label=_("Fair value of each (yuan)"),
        min_value=Decimal("0.01"),
        max_value=limits.MAX_UNIT_VALUE,
        decimal_places=2,
    )
    warehouse = forms.ModelChoiceField(
        label=_("Stored at"), queryset=Warehouse.objects.all(), empty_label=None
    )
    difference_confirmed = forms.BooleanField(
        label=_("The quantity differs from the pledge, and that is right"),
        required=False,
        help_text=_("Tick this only when more or fewer arrived than was pledged."),
    )

    def __init__(self, *args: Any, pledged: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pledged = pledged

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quantity = data.get("quantity")
        if (
            self.pledged
            and quantity
            and quantity != self.pledged
            and not data.get("difference_confirmed")
        ):
            self.add_error(
                "quantity",
                _(
                    "The pledge was for %(pledged)s; you entered %(quantity)s. If that is "
                    "right, tick the box below to confirm the difference."
                )
                % {"pledged": self.pledged, "quantity": quantity},
            )
        return data


class GoodsDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the goods cannot be taken (the donor is told)"), max_length=200
    )
