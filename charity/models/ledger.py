"""The double-entry ledger: the one source of every balance, total and report.

Legs carry signed amounts (debit positive, credit negative); each entry balances per
currency. On PostgreSQL the database enforces this (deferred constraint triggers, see
charity/migrations/0003_ledger_guards.py) and refuses UPDATE or DELETE of posted rows;
on SQLite the posting service (charity.ledger.entry_post) checks the same rules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Fund(models.Model):
    """The general pool, the lending fund, a named purpose the fund publishes, or a fund
    earmarked for one need (a wish), named by its purpose (charity.purposes)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General pool")
        LENDING = "lending", _("Equipment lending")
        PURPOSE = "purpose", _("Named purpose")
        EARMARKED = "earmarked", _("Earmarked for one need")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PURPOSE)
    description = models.TextField(_("description"), blank=True)
    target_amount = models.DecimalField(
        _("fundraising target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Shown on the pledge and transparency pages.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    purpose_key = models.CharField(_("purpose"), max_length=20, blank=True)
    purpose_id = models.PositiveBigIntegerField(_("purpose id"), null=True, blank=True)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="fund_target_positive",
                condition=Q(target_amount__isnull=True) | Q(target_amount__gt=0),
            ),
            # An earmarked fund names exactly one purpose; other funds name none.
            models.CheckConstraint(
                name="fund_earmarked_has_purpose",
                condition=(Q(kind="earmarked") & ~Q(purpose_key="") & Q(purpose_id__isnull=False))
                | (~Q(kind="earmarked") & Q(purpose_key="") & Q(purpose_id__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["purpose_key", "purpose_id"],
                condition=Q(kind="earmarked"),
                name="fund_one_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Disbursement(models.Model):
    """Money out of a fund, approved by someone other than the person who asked for it.

    Moving money from the pool to an earmarked fund (a wish's) is a disbursement too.
    Requested → approved (by a second fund administrator) or rejected (with a reason).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    from_fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="+", verbose_name=_("from fund")
    )
    to_fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="+", verbose_name=_("to fund")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_reason = models.CharField(_("reason for the decision"), max_length=255, blank=True)
    entry = models.OneToOneField(
        "charity.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursement",
        verbose_name=_("ledger entry"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("asked at"))

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(name="disbursement_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="disbursement_four_eyes",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.from_fund} → {self.to_fund}"


class Account(models.Model):
    class Kind(models.TextChoices):
        # debit-normal (assets and what reduces a fund)
        STRIPE_CLEARING = "stripe_clearing", _("Stripe clearing")
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")
        IN_KIND_STOCK = "in_kind_stock", _("Goods in stock (valued)")
        SUSPENSE = "suspense", _("Suspense")
        STRIPE_FEES = "stripe_fees", _("Stripe fees")
        EXPENSES = "expenses", _("Disbursements")
        REFUNDS = "refunds", _("Refunds")
        # credit-normal (what the fund holds, what it owes)
        FUND = "fund", _("Fund pool")
        FUND_IN_KIND = "fund_in_kind", _("Gifts in kind")
        DEPOSITS_HELD = "deposits_held", _("Deposits held")
        # both ways: bridges currencies
        EXCHANGE = "exchange", _("Currency exchange")

    code = models.CharField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("fund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """What a clerk reads: "Fund pool · General pool (CNY)" rather than fund:general:CNY."""
        parts = [str(self.get_kind_display())]
        if self.fund is not None:
            parts.append(self.fund.display_name)
        return f"{' · '.join(parts)} ({self.currency})"


class LedgerEntry(models.Model):
    """One balanced transaction. Never changed: a correction is a new, reversing entry."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("Donation")
        OFFLINE_INCOME = "offline_income", _("Offline income")
        GOODS = "goods", _("Gift in kind")
        REFUND = "refund", _("Refund")
        DISPUTE = "dispute", _("Dispute")
        DISBURSEMENT = "disbursement", _("Disbursement")
        TRANSFER = "transfer", _("Transfer between funds")
        REVERSAL = "reversal", _("Reversal")
        ADJUSTMENT = "adjustment", _("Adjustment")
        # equipment lending: a fee is income, a deposit is held until it is settled
        FEE = "fee", _("Fee and deposit")
        DEPOSIT = "deposit", _("Deposit settled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    memo = models.CharField(_("memo"), max_length=255)
    reference = models.CharField(
        _("reference"),
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "What caused this entry; a second post with the same reference returns the first."
        ),
    )
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}: {self.memo}"


class LedgerLeg(models.Model):
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="legs", verbose_name=_("ledger entry")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="legs", verbose_name=_("account")
    )
    amount = models.DecimalField(_("amount (debit +, credit −)"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        verbose_name = _("ledger leg")
        verbose_name_plural = _("ledger legs")
        constraints = [models.CheckConstraint(name="ledgerleg_nonzero", condition=~Q(amount=0))]
        indexes = [models.Index(fields=["account", "currency"])]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount} {self.currency}"
