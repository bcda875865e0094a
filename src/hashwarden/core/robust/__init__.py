"""Matching edited copies: trimmed borders and bars, undone tilts, local-feature verification."""

from hashwarden.core.robust.comparator import RobustComparator, RobustQuery, RobustReference
from hashwarden.core.robust.levels import RobustLevel, parse_level

__all__ = ["RobustComparator", "RobustLevel", "RobustQuery", "RobustReference", "parse_level"]
