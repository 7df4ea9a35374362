"""Staff screens in the Wagtail admin for what the pool lends: equipment types (names, price,
photo) and items (added at a warehouse, or lent in by an owner for a term). Every write calls
lending.services; only fund administrators come here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest, fund_administrator_required
from accounts.models import User, Warehouse
from core.params import row_id
from lending import services
from lending.forms import EquipmentTypeForm, ItemAddForm, LendInForm
from lending.models import EquipmentType, Item


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def types(request: AuthedHttpRequest) -> HttpResponse:
    form = EquipmentTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo")
        if EquipmentType.objects.filter(slug=data["slug"]).exists():
            form.add_error("slug", _("Another type has this address."))
        else:
            try:
                made = services.equipment_type_create(**data)
                if photo is not None:
                    services.equipment_type_update(type=made, by=request.user, photo=photo)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("%(name)s added.") % {"name": made.name})
                return redirect("lending_admin:types")
    return render(
        request,
        "lending/admin/types.html",
        {
            "page_title": _("Equipment types"),
            "form": form,
            "types": EquipmentType.objects.select_related("photo"),
        },
    )


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def type_edit(request: AuthedHttpRequest, type_id: int) -> HttpResponse:
    type_ = get_object_or_404(EquipmentType, pk=type_id)
    initial = {name: getattr(type_, name) for name in services.loans.TYPE_FIELDS}
    form = EquipmentTypeForm(request.POST or None, initial=initial, edit=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.equipment_type_update(type=type_, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": type_.name})
            return redirect("lending_admin:types")
    return render(
        request,
        "lending/admin/type_edit.html",
        {"page_title": type_.name, "form": form, "type": type_},
    )


@require_http_methods(["GET", "POST"])
@fund_administrator_required
def items(request: AuthedHttpRequest) -> HttpResponse:
    """Items per warehouse, and the forms to add one or take one in from its owner."""
    action = request.POST.get("action") if request.method == "POST" else None
    add = ItemAddForm(request.POST if action == "add" else None, prefix="add")
    lend = LendInForm(request.POST if action == "lend" else None, prefix="lend")
    try:
        if action == "add" and add.is_valid():
            item = services.item_add(by=request.user, **add.cleaned_data)
            messages.success(request, _("%(tag)s added.") % {"tag": item.tag})
            return redirect("lending_admin:items")
        if action == "lend" and lend.is_valid():
            data = dict(lend.cleaned_data)
            email = data.pop("owner_email")
            owner_user = User.objects.filter(email__iexact=email).first() if email else None
            if email and owner_user is None:
                raise ValidationError(_("No account uses this e-mail address."))
            item = services.item_lend_in(owner_user=owner_user, by=request.user, **data)
            messages.success(request, _("%(tag)s taken in.") % {"tag": item.tag})
            return redirect("lending_admin:items")
    except (ValidationError, PermissionDenied) as exc:
        form = add if action == "add" else lend
        for message in getattr(exc, "messages", [_("Not allowed.")]):
            form.add_error(None, message)
    warehouse = Warehouse.objects.filter(pk=row_id(request.GET.get("warehouse"))).first()
    listed = Item.objects.select_related(
        "type", "warehouse", "owner_organisation", "owner_user"
    ).order_by("warehouse__name", "type__sort_order", "tag")
    if warehouse is not None:
        listed = listed.filter(warehouse=warehouse)
    return render(
        request,
        "lending/admin/items.html",
        {
            "page_title": _("Items"),
            "add": add,
            "lend": lend,
            "items": listed[:500],
            "warehouses": Warehouse.objects.all(),
            "warehouse": warehouse,
        },
    )
