from charity.models.ledger import Account, Fund, LedgerEntry, LedgerLeg
from charity.models.pages import BODY_BLOCKS, HomePage, NewsArticlePage, NewsIndexPage, StandardPage

__all__ = [
    "BODY_BLOCKS",
    "Account",
    "Fund",
    "HomePage",
    "LedgerEntry",
    "LedgerLeg",
    "NewsArticlePage",
    "NewsIndexPage",
    "StandardPage",
]
