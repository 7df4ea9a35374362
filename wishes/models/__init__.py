from wishes.models.pages import WishBoardPage
from wishes.models.stock import StockFill
from wishes.models.wish import WISH_PURPOSE, ChipIn, Claim, Wish

__all__ = ["WISH_PURPOSE", "ChipIn", "Claim", "StockFill", "Wish", "WishBoardPage"]
