"""Re-fetch Stripe events whose processing failed and process them again."""

from typing import Any

import stripe
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from donations import stripe_gateway
from donations.models import StripeEvent
from donations.services import stripe_events


class Command(BaseCommand):
    help = "Re-fetch failed Stripe events from Stripe and process them again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", help="Only this event id (evt_…).")
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if not stripe_gateway.is_configured():
            raise CommandError(_("Stripe is not configured (STRIPE_SECRET_KEY)."))
        events = StripeEvent.objects.filter(status=StripeEvent.Status.FAILED).order_by(
            "received_at"
        )
        if options["event"]:
            events = StripeEvent.objects.filter(stripe_id=options["event"])
            if not events.exists():
                raise CommandError(
                    _("No stored event has the id %(id)s.") % {"id": options["event"]}
                )
        done = failed = 0
        for event in events[: options["limit"]]:
            try:
                fresh = stripe_gateway.event_retrieve(event.stripe_id)
            except stripe.InvalidRequestError:
                fresh = None  # no longer at Stripe (events are kept 30 days): use what we stored
            if fresh is not None:
                StripeEvent.objects.filter(pk=event.pk).update(payload=fresh)
            try:
                stripe_events.event_process(event_id=event.pk)
            except Exception as exc:
                failed += 1
                self.stderr.write(f"{event.stripe_id}: {exc!r}")
            else:
                done += 1
        self.stdout.write(
            _("%(done)d processed, %(failed)d still failing.") % {"done": done, "failed": failed}
        )
        if failed:
            raise CommandError(_("Some events still fail; see above."))
