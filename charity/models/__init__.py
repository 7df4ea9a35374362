from charity.models.ledger import Account, Disbursement, Fund, LedgerEntry, LedgerLeg
from charity.models.pages import BODY_BLOCKS, HomePage, NewsArticlePage, NewsIndexPage, StandardPage

__all__ = [
    "BODY_BLOCKS",
    "Account",
    "Disbursement",
    "Fund",
    "HomePage",
    "LedgerEntry",
    "LedgerLeg",
    "NewsArticlePage",
    "NewsIndexPage",
    "StandardPage",
]
