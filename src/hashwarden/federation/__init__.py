"""Signed list distribution between hashwarden instances (publisher, subscriber, keys)."""
