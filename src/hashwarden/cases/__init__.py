"""Victim identification casework: cases of seized media, known-item triage, stacks, links."""
