"""Who sees which wishes, and the board's reads (a fixed number of queries per page)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import User
from wishes.models import Claim, Wish


def board_wishes(
    *,
    category: str = "",
    station: Any = None,
    district: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Wish]:
    """Approved wishes, open ones first, newest first."""
    wishes = Wish.objects.filter(status__in=Wish.PUBLIC_STATUSES).select_related("station")
    if category:
        wishes = wishes.filter(category=category)
    if station:
        wishes = wishes.filter(station=station)
    if district:
        wishes = wishes.filter(station__district=district)
    if status:
        wishes = wishes.filter(status=status)
    if q:
        wishes = wishes.filter(
            Q(title__icontains=q) | Q(story__icontains=q) | Q(coarse_area__icontains=q)
        )
    from wishes.models.wish import OPEN_FIRST

    return (
        wishes.annotate(open_first=OPEN_FIRST)
        .order_by("open_first", "-published_at", "-pk")
        .only(
            "pk",
            "title",
            "category",
            "kind",
            "quantity",
            "target_amount",
            "committed_amount",
            "fund_id",
            "needed_by",
            "pseudonym",
            "coarse_area",
            "status",
            "published_at",
            "station__name",
            "station__district",
        )
    )


def _counted(name: str, compute: Any) -> Any:
    """Counts grow with the table; they change only when a wish is saved, which starts a new
    generation of the board (wishes.cache.board_changed, on commit), so they are kept per
    generation for WISHPOOL_BOARD_COUNT_SECONDS rather than counted on every request."""
    from django.conf import settings

    from core.kept import kept
    from wishes.cache import GENERATION_KEY

    return kept(
        generation_key=GENERATION_KEY,
        name=f"count:{name}",
        seconds=getattr(settings, "WISHPOOL_BOARD_COUNT_SECONDS", 600),
        compute=compute,
    )


def board_figures() -> dict[str, int]:
    def compute() -> dict[str, int]:
        counts = Wish.objects.filter(status__in=Wish.PUBLIC_STATUSES).aggregate(
            open=Count("pk", filter=Q(status="open")),
            fulfilled=Count("pk", filter=Q(status="fulfilled")),
        )
        return {"open": counts["open"] or 0, "fulfilled": counts["fulfilled"] or 0}

    return _counted("figures", compute)  # type: ignore[no-any-return]


def board_count(**filters: Any) -> int:
    """How many wishes the board shows for these filters (for its pages)."""
    key = "board:" + "&".join(f"{k}={getattr(v, 'pk', v)}" for k, v in sorted(filters.items()) if v)
    return _counted(key, lambda: board_wishes(**filters).count())  # type: ignore[no-any-return]


def wish_public_get(*, wish_id: int) -> Wish | None:
    return (
        Wish.objects.filter(pk=wish_id, status__in=Wish.PUBLIC_STATUSES)
        .select_related("station", "fund", "resident")
        .first()
    )


@dataclass(frozen=True)
class WishMoney:
    """What a money wish has and lacks: every page shows these, and only these.

    ``received`` is what its fund holds (gifts and pool transfers in, less refunds) from the
    ledger; ``held`` is being paid right now (open checkouts); ``lacks`` is what is still open
    to give. received + held + lacks = target.
    """

    target: Decimal
    received: Decimal
    held: Decimal
    lacks: Decimal


def wish_money(wishes: "Iterable[Wish]") -> dict[int, WishMoney]:
    """For many wishes in one query (the board) or one (a wish's page)."""
    from charity.selectors import fund_net_received

    money = [w for w in wishes if w.kind == Wish.Kind.MONEY and w.target_amount]
    received = fund_net_received(fund_ids=[w.fund_id for w in money if w.fund_id])
    out = {}
    for wish in money:
        target = wish.target_amount or Decimal(0)
        got = min(received.get(wish.fund_id, Decimal(0)) if wish.fund_id else Decimal(0), target)
        committed = min(max(wish.committed_amount, got), target)
        out[wish.pk] = WishMoney(
            target=target, received=got, held=committed - got, lacks=target - committed
        )
    return out


def wish_raised(wish: Wish) -> Decimal:
    """What the wish's own fund holds, from the ledger (see WishMoney)."""
    if wish.fund_id is None:
        return Decimal(0)
    from charity.selectors import fund_net_received

    return fund_net_received(fund_ids=[wish.fund_id]).get(wish.fund_id, Decimal(0))


def wish_givers(wish: Wish) -> list[dict[str, Any]]:
    """Who has claimed or given, as each chose to appear."""
    from donations.selectors import public_name

    people = []
    for claim in wish.claims.exclude(status=Claim.Status.LAPSED).select_related(
        "donor__organisation", "donor__user"
    ):
        name = (
            claim.donor.name
            if claim.show_name
            else (_("A caring company") if claim.donor.organisation_id else _("A caring person"))
        )
        people.append({"name": name, "what": claim.get_status_display(), "claim": True})
    if wish.fund_id:
        from donations.models import Donation

        for donation in Donation.objects.filter(fund_id=wish.fund_id).select_related(
            "donor__organisation", "donor__user"
        ):
            people.append(
                {"name": public_name(donation), "amount": donation.amount, "claim": False}
            )
    return people


def wish_public_context(*, wish: Wish, user: User) -> dict[str, Any]:
    from donations.selectors import donors_for_user, giving_identities

    choices, _orgs = giving_identities(user=user)
    own = is_own_wish(user=user, wish=wish)
    money = wish_money([wish]).get(wish.pk)
    active_claim = wish.claims.filter(status=Claim.Status.ACTIVE).select_related("donor").first()
    my_claim = (
        active_claim
        if active_claim is not None
        and user.is_authenticated
        and donors_for_user(user=user).filter(pk=active_claim.donor_id).exists()
        else None
    )
    return {
        "raised": wish_raised(wish),
        "money": money,
        "givers": wish_givers(wish),
        "own_wish": own,
        "may_give": bool(choices) and not own,
        "give_choices": choices,
        "payments_configured": _payments_configured(),
        "active_claim": active_claim,
        "my_claim": my_claim,
        # the claimer and the station's staff mark it delivered; nobody else sees the button
        "can_deliver": my_claim is not None
        or (user.is_authenticated and can_vet(user=user, wish=wish)),
        # everything still needed is held by payments in progress: say when to look again
        "held_until": _held_until(wish) if money and money.lacks == 0 and money.held else None,
    }


def _held_until(wish: Wish) -> Any:
    from django.db.models import Max

    return wish.chip_ins.filter(status="held").aggregate(until=Max("expires_at"))["until"]


def is_own_wish(*, user: User, wish: Wish) -> bool:
    """The resident the wish is for (through their linked account) never claims or gives to it:
    their name would appear beside their own wish."""
    return bool(user.is_authenticated and wish.resident.user_id == user.pk)


def claims_with_contacts(*, wish: Wish) -> list[Claim]:
    """For the station's staff: each claim with how to reach whoever claimed it."""
    out = list(
        wish.claims.select_related("donor__organisation", "donor__user", "claimed_by").order_by(
            "-created_at"
        )
    )
    for claim in out:
        org = claim.donor.organisation
        claim.contact = (  # type: ignore[attr-defined]
            f"{claim.claimed_by.get_full_name()} · {claim.claimed_by.email}"
            + (f" · {org.contact_phone}" if org is not None and org.contact_phone else "")
        )
    return out


def wishes_for_user(*, user: User) -> QuerySet[Wish]:
    """The wishes whose private side this person may see: their own as a resident, their
    station's as a worker, every one as a fund administrator."""
    qs = Wish.objects.select_related("resident", "station")
    if account_selectors.is_fund_administrator(user):
        return qs
    if account_selectors.is_community_worker(user):
        return qs.filter(station=user.station)
    resident = getattr(user, "resident", None) if user.is_authenticated else None
    if resident is not None:
        return qs.filter(resident=resident)
    return qs.none()


def review_queue(*, user: User) -> QuerySet[Wish]:
    if not account_selectors.is_pool_staff(user):
        return Wish.objects.none()
    # waiting for a decision, and delivered ones waiting for the resident's confirmation
    return (
        wishes_for_user(user=user)
        .filter(status__in=(Wish.Status.SUBMITTED, Wish.Status.DELIVERED))
        .order_by("status", "created_at")
    )


def can_vet(*, user: User, wish: Wish) -> bool:
    """Staff of the wish's station, or a fund administrator."""
    return account_selectors.is_fund_administrator(user) or (
        account_selectors.is_community_worker(user) and user.station_id == wish.station_id
    )


def claims_for_user(*, user: User) -> QuerySet[Claim]:
    from donations.selectors import donors_for_user

    return Claim.objects.filter(donor__in=donors_for_user(user=user)).select_related(
        "wish__station"
    )


def _payments_configured() -> bool:
    from donations import stripe_gateway

    return stripe_gateway.is_configured()


def _grams(text: str) -> set[str]:
    """What two short descriptions share: Chinese as overlapping pairs of characters (插线,
    线板), other scripts as lower-case words."""
    grams: set[str] = set()
    for word in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", text):
        if re.match(r"[\u4e00-\u9fff]", word):
            grams |= {word[i : i + 2] for i in range(len(word) - 1)} or {word}
        elif len(word) > 2:
            grams.add(word.lower())
    return grams - STOP_GRAMS


# Pairs that say nothing about the thing itself ("一个", "一台" …).
STOP_GRAMS = {"一个", "一台", "一床", "一袋", "一箱", "一些", "需要", "一双", "一件", "一把"}


def stock_for_wish(*, wish: Wish) -> list[Any]:
    """Stock lots that could fill an open item wish: enough on hand, a description sharing
    words with the wish's title; at the wish's station first, then the main warehouse, then
    other branches, older lots first."""
    from charity.models import StockLot

    needed = wish.quantity or 1
    words = _grams(wish.title)
    if wish.kind != Wish.Kind.ITEM or not words:
        return []
    lots = StockLot.objects.filter(quantity_on_hand__gte=needed).select_related(
        "warehouse__station"
    )
    found = [lot for lot in lots if words & _grams(lot.description)]

    return sorted(found, key=lambda lot: (_distance(lot, wish), lot.created_at, lot.pk))


def _distance(lot: Any, wish: Wish) -> int:
    """Where goods come from for a wish: its own station first, then the main warehouse,
    then another branch."""
    if lot.warehouse.station_id == wish.station_id:
        return 0
    return 1 if lot.warehouse.is_main else 2


def wishes_for_lot(*, lot: Any, user: User) -> QuerySet[Wish]:
    """Open item wishes the user may fill whose titles share words with the lot's goods."""
    if not account_selectors.is_pool_staff(user):
        return Wish.objects.none()
    words = _grams(lot.description)
    candidates = (
        wishes_for_user(user=user)
        .filter(status=Wish.Status.OPEN, kind=Wish.Kind.ITEM, quantity__lte=lot.quantity_on_hand)
        .select_related("station")
        .order_by("station__name", "needed_by", "pk")
    )
    ids = [w.pk for w in candidates if words & _grams(w.title)]
    return candidates.filter(pk__in=ids)


def goods_filled_for_donor(donor: Any) -> list[dict[str, Any]]:
    """The wishes a donor's goods filled, as their "My giving" shows them: the public side
    only (pseudonym, area, title, status)."""
    from wishes.models import StockFill

    fills = (
        StockFill.objects.live()
        .filter(donor=donor)
        .select_related("wish", "lot")
        .order_by("-created_at")[:200]
    )
    return [
        {
            "quantity": f.quantity,
            "goods": f.lot.description,
            "title": f.wish.title,
            "pseudonym": f.wish.pseudonym,
            "area": f.wish.coarse_area,
            "status": f.wish.get_status_display(),
        }
        for f in fills
    ]


def stock_matches(*, user: User) -> tuple[list[dict[str, Any]], list[Any]]:
    """For the staff dashboard: the open item wishes (that the user may fill) which stock on
    hand could fill, each with the best lot; and the lots no open wish asks for, older first,
    so nothing sits in a warehouse unseen."""
    from charity.models import StockLot

    if not account_selectors.is_pool_staff(user):
        return [], []
    lots = list(
        StockLot.objects.filter(quantity_on_hand__gt=0)
        .select_related("warehouse")
        .order_by("created_at", "pk")
    )
    lot_words = {lot.pk: _grams(lot.description) for lot in lots}
    everyone = Wish.objects.filter(status=Wish.Status.OPEN, kind=Wish.Kind.ITEM)
    asked: set[int] = set()
    for title in everyone.values_list("title", flat=True):
        words = _grams(title)
        asked |= {lot.pk for lot in lots if words & lot_words[lot.pk]}
    pairs = []
    for wish in (
        wishes_for_user(user=user)
        .filter(status=Wish.Status.OPEN, kind=Wish.Kind.ITEM)
        .order_by("needed_by", "pk")[:200]
    ):
        words, needed = _grams(wish.title), wish.quantity or 1
        fitting = [
            lot for lot in lots if lot.quantity_on_hand >= needed and words & lot_words[lot.pk]
        ]
        if fitting:
            fitting.sort(key=lambda lot: _distance(lot, wish))
            pairs.append({"wish": wish, "lot": fitting[0]})
    return pairs, [lot for lot in lots if lot.pk not in asked]


def open_needs_for_goods(description: str) -> list[dict[str, Any]]:
    """Open item wishes asking for goods like ``description``, counted by station, with their
    pseudonyms only: what a company sees before it pledges goods."""
    words = _grams(description)
    if not words:
        return []
    by_station: dict[str, dict[str, Any]] = {}
    for wish in (
        Wish.objects.filter(status=Wish.Status.OPEN, kind=Wish.Kind.ITEM)
        .select_related("station")
        .only("title", "pseudonym", "quantity", "station__name")
        .order_by("station__name", "pk")
    ):
        if words & _grams(wish.title):
            row = by_station.setdefault(
                wish.station.name,
                {"station": wish.station.name, "wishes": 0, "units": 0, "pseudonyms": []},
            )
            row["wishes"] += 1
            row["units"] += wish.quantity or 1
            if len(row["pseudonyms"]) < 10:
                row["pseudonyms"].append(wish.pseudonym)
    return list(by_station.values())


def campaign_context(*, campaign: Any, user: User) -> dict[str, Any]:
    """A project's page: its public wishes, how far it has got, and what this visitor may do."""
    from donations.selectors import giving_identities

    wishes = list(
        campaign.wishes.filter(status__in=Wish.PUBLIC_STATUSES)
        .select_related("station")
        .order_by("status", "needed_by", "pk")
    )
    helped = [w for w in wishes if w.status != Wish.Status.OPEN]
    open_items = [w for w in wishes if w.status == Wish.Status.OPEN and w.kind == Wish.Kind.ITEM]
    money_needed = sum(
        (
            max(Decimal(0), w.remaining)
            for w in wishes
            if w.status == Wish.Status.OPEN and w.kind == Wish.Kind.MONEY and w.fund_id
        ),
        Decimal(0),
    )
    identities: list[tuple[str, str]] = []
    if user.is_authenticated and (open_items or money_needed):
        identities, _orgs = giving_identities(user=user)
    return {
        "campaign": campaign,
        "wishes": wishes,
        "total": len(wishes),
        "helped": len(helped),
        "fulfilled": sum(1 for w in wishes if w.status == Wish.Status.FULFILLED),
        "percent": int(len(helped) * 100 / len(wishes)) if wishes else 0,
        "open_items": len(open_items),
        "money_needed": money_needed,
        "give_as": identities,
        "is_fund_admin": user.is_authenticated and account_selectors.is_fund_administrator(user),
    }
