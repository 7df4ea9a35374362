"""Distances on the map and the walk they mean for an older person: the seeds' service circle
is a 15-minute walk. Straight-line distance times a detour factor for streets, at an older
walker's pace."""

import math

DETOUR = 1.3  # streets are longer than the straight line
PACE_M_PER_MIN = 60  # an unhurried older walker (about 3.6 km/h)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def walking_minutes(metres: float) -> int:
    """At least one minute; rounded up, so "about 12 minutes" is not optimistic."""
    return max(1, math.ceil(metres * DETOUR / PACE_M_PER_MIN))
