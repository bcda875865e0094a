"""Hit actions (block, review, webhook) and the review queue (pure domain: no web or database)."""
