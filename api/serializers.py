"""What the API takes (query parameters, checked: a bad one is a 400 with the reason) and what
it gives (every field listed: nothing private can slip out through a model serialiser)."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api import selectors

MAX_MONTHS = 120
FIRST_DAY, LAST_DAY = selectors.FIRST_DAY, selectors.LAST_DAY


class PeriodParams(serializers.Serializer):
    since = serializers.DateField(
        required=False, help_text=_("First day (YYYY-MM-DD), 2000 to 2100.")
    )
    until = serializers.DateField(
        required=False, help_text=_("Last day (YYYY-MM-DD), 2000 to 2100.")
    )

    def _in_range(self, value: date | None) -> date | None:
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise serializers.ValidationError(_("Choose a day between 2000 and 2100."))
        return value

    def validate_since(self, value: date | None) -> date | None:
        return self._in_range(value)

    def validate_until(self, value: date | None) -> date | None:
        return self._in_range(value)

    def validate(self, attrs: dict) -> dict:  # type: ignore[type-arg]
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until < since:
            raise serializers.ValidationError(
                {"until": _("The last day cannot be before the first.")}
            )
        return attrs


class NoParams(serializers.Serializer):
    """An endpoint that takes none: anything given is refused, not silently ignored."""


class FundParam(serializers.Serializer):
    fund = serializers.CharField(
        required=False, max_length=40, help_text=_("A published fund's code, e.g. general.")
    )

    def validate_fund(self, value: str):  # type: ignore[no-untyped-def]
        fund = selectors.published_fund(value)
        if fund is None:
            raise serializers.ValidationError(_("No published fund has this code."))
        return fund


class FlowParams(FundParam):
    months = serializers.IntegerField(
        required=False,
        default=12,
        min_value=1,
        max_value=MAX_MONTHS,
        help_text=_("How many months back."),
    )


class WishParams(PeriodParams):
    by = serializers.ChoiceField(choices=list(selectors.WISH_GROUPS), default="status")


class LoanParams(PeriodParams):
    by = serializers.ChoiceField(choices=list(selectors.LOAN_GROUPS), default="status")


class DonationParams(PeriodParams, FundParam):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100_000)


class FundOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField()
    balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    goods = serializers.DecimalField(max_digits=16, decimal_places=2)
    target = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    raised = serializers.DecimalField(max_digits=16, decimal_places=2)


class FundsOut(serializers.Serializer):
    currency = serializers.CharField()
    pool_balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    goods_in_stock = serializers.DecimalField(max_digits=16, decimal_places=2)
    funds = FundOut(many=True)


class MonthOut(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    money_in = serializers.DecimalField(max_digits=16, decimal_places=2)
    money_out = serializers.DecimalField(max_digits=16, decimal_places=2)


class FlowsOut(serializers.Serializer):
    currency = serializers.CharField()
    fund = serializers.CharField(allow_null=True)
    months = MonthOut(many=True)


class CountOut(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    count = serializers.IntegerField()


class CountsOut(serializers.Serializer):
    by = serializers.CharField()
    rows = CountOut(many=True)


class DonationOut(serializers.Serializer):
    name = serializers.CharField(help_text=_("The donor's name where they allowed it."))
    named = serializers.BooleanField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
    fund = serializers.CharField(allow_null=True)
    received_on = serializers.DateField()
    goods = serializers.BooleanField()


class DonationsOut(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = DonationOut(many=True)


class ErrorOut(serializers.Serializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
