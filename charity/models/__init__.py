from charity.models.closing import YearClosing
from charity.models.ledger import Account, Disbursement, Fund, LedgerEntry, LedgerLeg
from charity.models.stock import StockLot
from charity.models.totals import LedgerMonth

__all__ = [
    "Account",
    "Disbursement",
    "Fund",
    "LedgerEntry",
    "LedgerLeg",
    "LedgerMonth",
    "StockLot",
    "YearClosing",
]
