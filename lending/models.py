"""Care-equipment lending (循环义仓): types of equipment, the tagged items, and loans.

An item is in exactly one place at a time (its `state`, with its `warehouse` when it is in
one); a loan holds an item for a range of dates, first reserved, then handed out. Two loans
of one item never overlap: on PostgreSQL an exclusion constraint on the item and the date
range guards it (lending/migrations/0005_loan_no_overlap.py), and lending.services checks the
same under the item's row lock everywhere.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page


class EquipmentType(models.Model):
    """What can be borrowed (a wheelchair, a care bed…) and what borrowing costs those who
    are not in a protected group."""

    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    daily_fee = models.DecimalField(
        _("fee per day"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    deposit = models.DecimalField(
        _("refundable deposit"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    max_days = models.PositiveSmallIntegerField(_("longest loan (days)"), default=90)
    needs_assessment = models.BooleanField(
        _("needs a worker's needs assessment before approval"), default=False
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("equipment type")
        verbose_name_plural = _("equipment types")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="equipmenttype_prices_sane",
                condition=Q(daily_fee__gte=0, daily_fee__lte=Decimal("1000"))
                & Q(deposit__gte=0, deposit__lte=Decimal("20000"))
                & Q(max_days__gte=1, max_days__lte=365),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Item(models.Model):
    """One piece of equipment with a tag (the QR label), wherever it is."""

    class State(models.TextChoices):
        AVAILABLE = "available", _("Available")
        # held for 48 hours for the first on the wait list, who was offered it
        RESERVED = "reserved", _("Held for an offer")
        ON_LOAN = "on_loan", _("On loan")
        IN_TRANSIT = "in_transit", _("In transit")
        MAINTENANCE = "maintenance", _("Inspection and cleaning")
        WITH_OWNER = "with_owner", _("Back with its owner")
        RETIRED = "retired", _("Retired")

    type = models.ForeignKey(
        EquipmentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="items"
    )
    tag = models.CharField(_("tag"), max_length=20, unique=True)
    warehouse = models.ForeignKey(
        "accounts.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="items",
        help_text=_("Where it is kept (and comes back to) when it is not on loan."),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.AVAILABLE
    )
    # lent into the pool by a company or a person, for a term; then it goes back to them
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("lent by (company)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lent_items",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lent by (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lent_items",
    )
    lent_until = models.DateField(_("lent until"), null=True, blank=True)
    # donated equipment: the stock lot (goods pledge received) it was taken from
    stock_lot = models.ForeignKey(
        "charity.StockLot",
        verbose_name=_("from donated stock"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_told_at = models.DateTimeField(_("staff told of the term's end"), null=True, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["tag"]
        indexes = [models.Index(fields=["type", "warehouse", "state"])]
        constraints = [
            # a lent item has one owner and a term; the pool's own items have neither
            models.CheckConstraint(
                name="item_lent_by_one_owner_for_a_term",
                condition=Q(
                    owner_organisation__isnull=True,
                    owner_user__isnull=True,
                    lent_until__isnull=True,
                )
                | Q(
                    owner_organisation__isnull=False,
                    owner_user__isnull=True,
                    lent_until__isnull=False,
                )
                | Q(
                    owner_organisation__isnull=True,
                    owner_user__isnull=False,
                    lent_until__isnull=False,
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.type}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """An item saved may change what is free: the shared availability goes on commit."""
        from lending.cache import lending_changed

        super().save(*args, **kwargs)
        transaction.on_commit(lending_changed)


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn but usable")
    DAMAGED = "damaged", _("Damaged")


class Loan(models.Model):
    """An item held for a resident for a range of dates: reserved, then handed out, returned.

    The price is decided when it is requested, from the resident's private record: free for a
    verified protected group (proof not expired), else the type's fee and deposit.
    """

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        ON_LOAN = "on_loan", _("On loan")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    class Payment(models.TextChoices):
        CASH = "cash", _("Cash at the station")
        ONLINE = "online", _("Online (card, Alipay or WeChat Pay)")

    # Statuses that hold the item for their dates (the exclusion constraint uses the same).
    HOLDING = ("reserved", "on_loan")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="loans"
    )
    resident = models.ForeignKey(
        "accounts.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="loans",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RESERVED
    )
    free = models.BooleanField(_("free of charge"))
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=Decimal("0"))
    deposit = models.DecimalField(
        _("deposit"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    handed_out_at = models.DateTimeField(_("handed out at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_condition = models.CharField(
        _("condition on return"), max_length=10, choices=Condition.choices, blank=True
    )
    return_note = models.CharField(_("note on return"), max_length=255, blank=True)
    # private file names (core.images), shown to the station's staff and the borrower
    return_photos = models.JSONField(_("photos on return"), default=list, blank=True)
    paid_at = models.DateTimeField(_("fee and deposit paid at"), null=True, blank=True)
    paid_by = models.CharField(_("paid by"), max_length=10, choices=Payment.choices, blank=True)
    deposit_returned = models.DecimalField(
        _("deposit returned"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    deposit_kept = models.DecimalField(
        _("deposit kept"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    deposit_kept_reason = models.CharField(
        _("why part of the deposit was kept"), max_length=255, blank=True
    )
    deposit_settled_at = models.DateTimeField(_("deposit settled at"), null=True, blank=True)
    # Paid online: the pledge its Checkout belongs to, and the refund of the deposit's rest
    # (saved with its idempotency key before Stripe is asked).
    pledge = models.ForeignKey(
        "donations.Pledge",
        verbose_name=_("online payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deposit_refund = models.OneToOneField(
        "donations.Refund",
        verbose_name=_("deposit refund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deposit_refunded_at = models.DateTimeField(_("deposit refunded at"), null=True, blank=True)
    # a care bed (a type that needs it) goes out only after a worker's visit assessed the need
    assessed_at = models.DateTimeField(_("need assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("need assessed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessment_note = models.CharField(_("assessment"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["item", "status", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                name="loan_dates_in_order", condition=Q(ends_on__gte=F("starts_on"))
            ),
            models.CheckConstraint(
                name="loan_free_costs_nothing",
                condition=Q(free=False) | Q(fee=0, deposit=0),
            ),
            # what comes back of a deposit and what is kept never exceed it; keeping any
            # part of it needs the reason the borrower is shown
            models.CheckConstraint(
                name="loan_deposit_settled_within_it",
                condition=Q(deposit_returned__gte=0, deposit_kept__gte=0)
                & Q(deposit_returned__lte=F("deposit") - F("deposit_kept")),
            ),
            models.CheckConstraint(
                name="loan_deposit_kept_with_reason",
                condition=Q(deposit_kept=0) | ~Q(deposit_kept_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.tag} {self.starts_on}–{self.ends_on}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """A loan saved may change what is free: the shared availability goes on commit."""
        from lending.cache import lending_changed

        super().save(*args, **kwargs)
        transaction.on_commit(lending_changed)

    @property
    def amount_due(self) -> Decimal:
        return self.fee + self.deposit


class WaitlistEntry(models.Model):
    """A resident waiting for a type at a station: by urgency (set by staff), then by time."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered an item")
        SERVED = "served", _("Served")
        EXPIRED = "expired", _("Offer lapsed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Statuses that keep a place in line (an offer lapsed or declined ends it).
    IN_LINE = ("waiting", "offered")

    type = models.ForeignKey(
        EquipmentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="waiting"
    )
    station = models.ForeignKey(
        "accounts.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resident = models.ForeignKey(
        "accounts.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="waiting",
    )
    starts_on = models.DateField(_("wanted from"))
    ends_on = models.DateField(_("wanted until"))
    urgency = models.PositiveSmallIntegerField(_("urgency (higher first)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    # the offer: an item held for this resident until offer_expires_at, then the loan made
    item = models.ForeignKey(
        Item,
        verbose_name=_("item offered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offers",
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    loan = models.OneToOneField(
        Loan,
        verbose_name=_("loan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waitlist_entry",
    )

    class Meta:
        verbose_name = _("wait list entry")
        verbose_name_plural = _("wait list")
        ordering = ["-urgency", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "station", "resident"],
                condition=Q(status__in=("waiting", "offered")),
                name="waitlist_once_per_resident",
            ),
            # one open offer per item
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="offered"), name="waitlist_one_offer_per_item"
            ),
            models.CheckConstraint(
                name="waitlist_offer_has_item",
                condition=~Q(status="offered")
                | Q(item__isnull=False, offer_expires_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} waits for {self.type}"


class Transfer(models.Model):
    """Items moved between warehouses: requested, dispatched (they leave and are in transit),
    on the way, received with a count check that flags what did not arrive."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        DISPATCHED = "dispatched", _("Dispatched")
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    # Statuses of a transfer still under way: its items are spoken for.
    OPEN = ("requested", "dispatched", "in_transit")

    source = models.ForeignKey(
        "accounts.Warehouse",
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    destination = models.ForeignKey(
        "accounts.Warehouse",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    missing = models.PositiveIntegerField(_("missing on arrival"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="transfer_between_two_places", condition=~Q(source=F("destination"))
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source} → {self.destination}"


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        Transfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="transfer_lines"
    )
    # set on arrival: True arrived, False missing (the item stays in transit, flagged)
    arrived = models.BooleanField(_("arrived"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "item"], name="transfer_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.item_id}"


class LoanReminder(models.Model):
    """One reminder of a due date, recorded before it is sent: the unique row is what makes
    the beat job safe to run twice."""

    class Kind(models.TextChoices):
        SOON = "soon", _("Due in three days")
        DUE = "due", _("Due today")
        OVERDUE = "overdue", _("Overdue")

    loan = models.ForeignKey(
        Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("reminder"), max_length=10, choices=Kind.choices)
    # the due date it was about: a renewed loan is reminded again of its new date
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan reminder")
        verbose_name_plural = _("loan reminders")
        constraints = [
            models.UniqueConstraint(fields=["loan", "kind", "due_on"], name="loan_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind} {self.due_on}"


class LendingCataloguePage(RoutablePageMixin, Page):
    """The equipment catalogue at /lending/, with a page per type at /lending/<slug>/.

    Editors write the introduction; the types, prices and availability come from the records.
    """

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("equipment catalogue")

    @path("")
    def catalogue(self, request: HttpRequest) -> TemplateResponse:
        from lending import selectors
        from lending.cache import cached

        types = list(EquipmentType.objects.select_related("photo"))
        availability = cached("all", lambda: selectors.availability(types=types))
        context = self.get_context(request)
        origin = self._origin(request, context)
        context["types"] = [
            {"type": t, "stations": selectors.nearest_first(availability.get(t.pk, []), origin)}
            for t in types
        ]
        return TemplateResponse(request, "lending/lending_catalogue_page.html", context)

    def _origin(self, request: HttpRequest, context: dict[str, Any]) -> Any:
        """Where the visitor said they are (a community, or their browser's location)."""
        from accounts.models import Community
        from lending import selectors

        origin, problem = selectors.origin_from(request.GET)
        context.update(
            origin=origin,
            origin_problem=problem,
            communities=Community.objects.all(),
            community_chosen=request.GET.get("community", ""),
        )
        return origin

    @path("<slug:slug>/")
    def equipment_type(self, request: HttpRequest, slug: str) -> TemplateResponse:
        from lending import selectors
        from lending.cache import cached

        type_ = EquipmentType.objects.select_related("photo").filter(slug=slug).first()
        if type_ is None:
            raise Http404
        context = self.get_context(request)
        origin = self._origin(request, context)
        rows = cached(
            f"type:{type_.pk}", lambda: selectors.availability(types=[type_]).get(type_.pk, [])
        )
        context.update(type=type_, stations=selectors.nearest_first(rows, origin))
        return TemplateResponse(request, "lending/equipment_type.html", context)
