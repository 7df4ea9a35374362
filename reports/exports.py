"""Exports for the fund office and companies' books: the ledger, donations, receipts, wishes and
loans of a period (and a fund, where it applies), as CSV (UTF-8 with BOM, so Excel reads the
Chinese) or Excel (xlsx). Rows are read with a server-side cursor in chunks and written as they
come, so a million ledger legs stream in bounded memory (bench/exports.py measures it).

No export carries a resident's real name, address, phone or hardship: wishes and loans are
listed by pseudonym, station and dates."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from charity.models import Fund, LedgerLeg
from donations.models import Donation, Receipt
from lending.models import Loan
from reports.figures import bounds
from wishes.models import Wish

CHUNK = 2000


@dataclass(frozen=True)
class Dataset:
    key: str
    header: list[str]
    rows: Callable[[datetime, datetime, Fund | None], Iterable[list[Any]]]


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _ledger(since: datetime, until: datetime, fund: Fund | None) -> Iterator[list[Any]]:
    legs: QuerySet[LedgerLeg] = LedgerLeg.objects.filter(
        entry__posted_at__gte=since, entry__posted_at__lt=until
    )
    if fund is not None:
        legs = legs.filter(account__fund=fund)
    rows = legs.order_by("entry__posted_at", "entry_id", "pk").values_list(
        "entry__posted_at",
        "entry_id",
        "entry__kind",
        "entry__memo",
        "account__code",
        "account__kind",
        "account__fund__code",
        "amount",
        "currency",
    )
    for posted, entry, kind, memo, code, account_kind, fund_code, amount, currency in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            _local(posted),
            entry,
            kind,
            memo,
            code,
            account_kind,
            fund_code or "",
            amount,
            currency,
        ]


def _donations(since: datetime, until: datetime, fund: Fund | None) -> Iterator[list[Any]]:
    rows = Donation.objects.filter(received_at__gte=since, received_at__lt=until, is_gift=True)
    if fund is not None:
        rows = rows.filter(fund=fund)
    for d in (
        rows.select_related("donor__organisation", "donor__user", "fund")
        .order_by("received_at", "pk")
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            d.pk,
            _local(d.received_at),
            d.donor.legal_name,
            d.fund.code,
            d.method,
            d.amount,
            d.refunded_amount,
            d.currency,
            d.status,
        ]


def _receipts(since: datetime, until: datetime, fund: Fund | None) -> Iterator[list[Any]]:
    rows = Receipt.objects.filter(issued_at__gte=since, issued_at__lt=until)
    if fund is not None:
        rows = rows.filter(donation__fund=fund)
    for r in (
        rows.select_related("donor__organisation", "donor__user")
        .order_by("issued_at", "pk")
        .iterator(chunk_size=CHUNK)
    ):
        yield [r.number, _local(r.issued_at), r.donor.legal_name, r.amount, r.currency, r.status]


def _wishes(since: datetime, until: datetime, fund: Fund | None) -> Iterator[list[Any]]:
    rows = Wish.objects.filter(created_at__gte=since, created_at__lt=until)
    for w in rows.select_related("station").order_by("created_at", "pk").iterator(chunk_size=CHUNK):
        yield [
            w.pk,
            _local(w.created_at),
            w.pseudonym,
            w.station.name,
            w.category,
            w.kind,
            w.title,
            w.target_amount if w.target_amount is not None else "",
            w.status,
        ]


def _loans(since: datetime, until: datetime, fund: Fund | None) -> Iterator[list[Any]]:
    rows = Loan.objects.filter(created_at__gte=since, created_at__lt=until)
    for loan in (
        rows.select_related("item__type", "item__warehouse", "resident")
        .order_by("created_at", "pk")
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            loan.pk,
            _local(loan.created_at),
            loan.item.type.slug,
            loan.item.tag,
            loan.item.warehouse.name,
            loan.resident.pseudonym,
            loan.starts_on.isoformat(),
            loan.ends_on.isoformat(),
            loan.status,
            "free" if loan.free else "paid",
            loan.fee,
            loan.deposit,
        ]


DATASETS = {
    d.key: d
    for d in (
        Dataset(
            "ledger",
            [
                "posted",
                "entry",
                "kind",
                "memo",
                "account",
                "account kind",
                "fund",
                "amount",
                "currency",
            ],
            _ledger,
        ),
        Dataset(
            "donations",
            [
                "id",
                "received",
                "donor",
                "fund",
                "method",
                "amount",
                "refunded",
                "currency",
                "status",
            ],
            _donations,
        ),
        Dataset(
            "receipts", ["number", "issued", "donor", "amount", "currency", "status"], _receipts
        ),
        Dataset(
            "wishes",
            [
                "id",
                "posted",
                "pseudonym",
                "station",
                "category",
                "kind",
                "title",
                "target",
                "status",
            ],
            _wishes,
        ),
        Dataset(
            "loans",
            [
                "id",
                "requested",
                "type",
                "tag",
                "warehouse",
                "pseudonym",
                "from",
                "until",
                "status",
                "eligibility",
                "fee",
                "deposit",
            ],
            _loans,
        ),
    )
}


def _cell(value: Any) -> Any:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def csv_chunks(*, key: str, start: date, end: date, fund: Fund | None) -> Iterator[bytes]:
    """The export as CSV, a few hundred rows per chunk (first the BOM and the header)."""
    dataset = DATASETS[key]
    since, until = bounds(start, end)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(dataset.header)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(dataset.rows(since, until, fund), start=1):
        writer.writerow([_cell(v) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_write(*, key: str, start: date, end: date, fund: Fund | None, out: IO[bytes]) -> None:
    """The export as an Excel workbook, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    dataset = DATASETS[key]
    since, until = bounds(start, end)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(key)
    sheet.append(dataset.header)
    for row in dataset.rows(since, until, fund):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    book.save(out)
