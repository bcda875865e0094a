"""Candidate places from EXIF GPS: items whose fixes lie within ~100 m of each other.

Pure: (path, latitude, longitude) in, clusters out. Only fixes with both hemispheres known take
part: an unsigned coordinate may be on the other side of the equator or of Greenwich, and
grouping it with anything would invent a place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8
#: Phone GPS is good to some 5-50 m outdoors and worse indoors; 100 m keeps one building
#: together without merging the next street.
PLACE_RADIUS_M = 100.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS 84 points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Fix:
    path: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Cluster:
    latitude: float
    longitude: float
    radius_m: float
    paths: tuple[str, ...]


def _centre(members: Sequence[Fix]) -> tuple[float, float]:
    # Mean of unit vectors: right across the antimeridian, where a mean of longitudes is not.
    x = sum(math.cos(math.radians(f.latitude)) * math.cos(math.radians(f.longitude))
            for f in members)
    y = sum(math.cos(math.radians(f.latitude)) * math.sin(math.radians(f.longitude))
            for f in members)
    z = sum(math.sin(math.radians(f.latitude)) for f in members)
    return (math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x)))


def cluster_fixes(fixes: Sequence[Fix], radius_m: float = PLACE_RADIUS_M) -> list[Cluster]:
    """Leader clustering: each fix joins the nearest cluster whose first fix is within
    ``radius_m``, else starts one. Unlike single linkage, a walk down a street does not chain
    into one huge "place": no cluster is wider than twice the radius. Largest first."""
    leaders: list[Fix] = []
    members: list[list[Fix]] = []
    for fix in sorted(fixes, key=lambda f: (f.latitude, f.longitude, f.path)):
        distances = [haversine_m(fix.latitude, fix.longitude, lead.latitude, lead.longitude)
                     for lead in leaders]
        best = min(range(len(leaders)), key=distances.__getitem__, default=None)
        if best is not None and distances[best] <= radius_m:
            members[best].append(fix)
        else:
            leaders.append(fix)
            members.append([fix])
    clusters = []
    for group in members:
        lat, lon = _centre(group)
        radius = max(haversine_m(lat, lon, f.latitude, f.longitude) for f in group)
        clusters.append(Cluster(lat, lon, radius, tuple(sorted(f.path for f in group))))
    return sorted(clusters, key=lambda c: (-len(c.paths), c.paths))
