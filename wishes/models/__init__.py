from wishes.models.pages import CampaignPage, WishBoardPage
from wishes.models.project import PROJECT_GIFT_PURPOSE, ProjectGift, ProjectShare
from wishes.models.stock import StockFill
from wishes.models.wish import WISH_PURPOSE, Campaign, ChipIn, Claim, Wish

__all__ = [
    "PROJECT_GIFT_PURPOSE",
    "WISH_PURPOSE",
    "Campaign",
    "CampaignPage",
    "ChipIn",
    "Claim",
    "ProjectGift",
    "ProjectShare",
    "StockFill",
    "Wish",
    "WishBoardPage",
]
