"""hashwarden: screening, hash lists, hotline and victim identification."""

__version__ = "0.1.0"
