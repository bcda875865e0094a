"""Review verdicts on mirrored entries, travelling back to the publisher.

The subscriber sends, per remote entry, its running totals of ``confirmed`` and
``false_positive`` decisions; the publisher stores them per (entry, reporter, verdict), replacing
what that reporter sent before. Totals rather than increments make a resend harmless, so the
subscriber can send again whatever it is unsure about (a retry, a decision committed late).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The verdicts that travel: an escalation is a local matter.
VERDICTS = ("confirmed", "false_positive")
#: Most entries in one feedback request.
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class FeedbackTotal:
    #: The publisher's entry id.
    entry_id: int
    confirmed: int = 0
    false_positive: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "entry_id": self.entry_id,
            "confirmed": self.confirmed,
            "false_positive": self.false_positive,
        }
