"""The HTTP API (FastAPI): upload screening, list curation, tokens, health and metrics."""
