"""The hotline: public reports, anonymous follow-up, the analyst workflow."""
