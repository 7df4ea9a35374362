from wishes.models.pages import CampaignPage, WishBoardPage
from wishes.models.stock import StockFill
from wishes.models.wish import WISH_PURPOSE, Campaign, ChipIn, Claim, Wish

__all__ = [
    "WISH_PURPOSE",
    "Campaign",
    "CampaignPage",
    "ChipIn",
    "Claim",
    "StockFill",
    "Wish",
    "WishBoardPage",
]
