"""Check the ledger's monthly totals against a full recomputation from the legs."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from charity.totals import totals_differences, totals_rebuild


class Command(BaseCommand):
    help = (
        "Compare the monthly ledger totals every balance is read from with the legs; "
        "exit 1 if they differ. --rebuild replaces them by what the legs say."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="Recompute every total from the legs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            rows = totals_rebuild()
            self.stdout.write(_("Rebuilt %(n)s monthly totals from the legs.") % {"n": rows})
        differences = totals_differences()
        for row in differences[:50]:
            account, month, kind = row["key"]
            self.stderr.write(
                _(
                    "Account %(account)s, %(month)s, %(kind)s: totals say %(stored)s, "
                    "the legs say %(legs)s."
                )
                % {
                    "account": account,
                    "month": f"{month:%Y-%m}",
                    "kind": kind,
                    "stored": row["stored"],
                    "legs": row["legs"],
                }
            )
        if differences:
            raise CommandError(
                _("%(n)s monthly totals differ from the legs.") % {"n": len(differences)}
            )
        self.stdout.write(_("The monthly totals agree with the legs."))
