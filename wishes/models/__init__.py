from wishes.models.pages import WishBoardPage
from wishes.models.wish import ChipIn, Claim, Wish

__all__ = ["ChipIn", "Claim", "Wish", "WishBoardPage"]
