from typing import Any

from allauth.core import context as allauth_context
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import roles, selectors, services
from accounts.models import HardshipStatus, Organisation, Station, User


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth adds e-mail and password)."""

    full_name = forms.CharField(label=_("Your name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("I am signing up as"),
        choices=[
            (User.Kind.DONOR, _("An individual donor")),
            (User.Kind.COMPANY, _("A company representative")),
            (User.Kind.RESIDENT, _("A resident")),
        ],
        widget=forms.RadioSelect,
        initial=User.Kind.DONOR,
    )
    legal_name = forms.CharField(
        label=_("Company legal name"),
        max_length=200,
        required=False,
        help_text=_(
            "Company representatives only. To join an existing company, "
            "ask a colleague to invite you."
        ),
    )
    display_name = forms.CharField(label=_("Company public name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Company contact phone"), max_length=30, required=False)

    COMPANY_FIELDS = ("legal_name", "display_name", "contact_phone")
    field_order = ["kind", "full_name", *COMPANY_FIELDS, "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Sign-up comes in two steps. Until the person says what they sign up as (the posted
        ``kind``, or ``?kind=`` on the sign-up address) ``self.chosen_kind`` is None and the page
        asks only that. Once it is known it travels in a hidden field, and the company's
        fields are there only for a company representative."""
        super().__init__(*args, **kwargs)
        if self.is_bound:
            chosen = self.data.get("kind")
        else:
            request = allauth_context.request
            chosen = request.GET.get("kind") if request is not None else None
        kinds = {value for value, _label in self.fields["kind"].choices}  # type: ignore[attr-defined]
        self.chosen_kind: str | None = chosen if chosen in kinds else None
        if self.chosen_kind is not None:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = self.chosen_kind
            if self.chosen_kind != User.Kind.COMPANY:
                for name in self.COMPANY_FIELDS:
                    del self.fields[name]

    @property
    def kind_label(self) -> str:
        choices = dict(self.fields["kind"].choices)  # type: ignore[attr-defined]
        return str(choices.get(self.chosen_kind, ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == User.Kind.COMPANY:
            for field in ("legal_name", "display_name", "contact_phone"):
                if not (data.get(field) or "").strip():
                    self.add_error(field, _("Required for a company representative."))
            legal = (data.get("legal_name") or "").strip()
            if legal and Organisation.objects.filter(legal_name__iexact=legal).exists():
                self.add_error(
                    "legal_name",
                    _("This company is already registered: ask one of its members to invite you."),
                )
        return data

    def signup(self, request: HttpRequest, user: User) -> None:
        data = self.cleaned_data
        services.user_profile_set(
            user=user,
            full_name=data["full_name"],
            kind=data["kind"],
            language=translation.get_language(),
        )
        if data["kind"] == User.Kind.COMPANY:
            services.organisation_create(
                owner=user,
                legal_name=data["legal_name"],
                display_name=data["display_name"],
                contact_name=data["full_name"],
                contact_phone=data["contact_phone"],
            )


class OrganisationSettingsForm(forms.Form):
    show_on_donor_wall = forms.BooleanField(
        label=_("List our company among the member companies on the public pages"),
        required=False,
        help_text=_("Only the company's name is shown. Gifts keep their own choice of name."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"))


class ResidentForm(forms.Form):
    pseudonym = forms.CharField(label=_("Public name (e.g. 王奶奶)"), max_length=40)
    coarse_area = forms.CharField(label=_("Public area (e.g. 梅园社区)"), max_length=60)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2026, required=False
    )
    real_name = forms.CharField(label=_("Real name (private)"), max_length=60)
    phone = forms.CharField(label=_("Phone (private)"), max_length=30, required=False)
    address = forms.CharField(label=_("Address (private)"), max_length=200, required=False)


class ResidentLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail of the resident's own account"),
        help_text=_("Link only after you have checked who the person is."),
    )


class HardshipForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=HardshipStatus.Category.choices)
    proof_status = forms.ChoiceField(label=_("Proof"), choices=HardshipStatus.Proof.choices)
    expires_on = forms.DateField(
        label=_("Proof expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


class StationForm(forms.Form):
    """A station's public details (staff screen); the service creates its warehouse."""

    name = forms.CharField(label=pgettext_lazy("place", "Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200)
    district = forms.CharField(label=_("District"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=120,
        required=False,
        help_text=_("Shown to donors who bring a claimed wish, e.g. 周一至周五 8:30–17:00"),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not edit:
            del self.fields["is_active"]

    @staticmethod
    def initial_for(station: Any) -> dict[str, Any]:
        return {
            name: getattr(station, name)
            for name in (
                "name",
                "address",
                "district",
                "phone",
                "opening_hours",
                "latitude",
                "longitude",
            )
        } | {"is_active": station.is_active}


class StaffRoleForm(forms.Form):
    """Give a staff role to an existing account (Staff screen); the service checks the rest."""

    user: User | None = None

    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The person signs up first, with this address.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=list(roles.ROLE_LABELS.items()))
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("For community workers: the one station they serve."),
    )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        self.user = selectors.user_by_email(email=email)
        if self.user is None:
            raise ValidationError(_("No account uses this e-mail address."))
        return email


class CommunityForm(forms.Form):
    """A residential community (小区) and where it is, for "nearest stations first"."""

    name = forms.CharField(label=pgettext_lazy("place", "Name"), max_length=100)
    district = forms.CharField(label=_("District"), max_length=60, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
