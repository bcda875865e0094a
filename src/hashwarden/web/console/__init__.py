"""The analyst console: signed-in staff work the report queue."""
