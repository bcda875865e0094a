"""Classification schemes an analyst assesses items under (DOMAIN.md: keep them as configuration).

Each scheme is a set of questions with allowed answers; ``value`` builds the one ``Category`` value
an assessed item carries into a hash list. A hotline can replace them with its own JSON file
(``HASHWARDEN_SCHEMES_FILE``: ``{"name": {"label", "questions": [{"name", "label", "options":
[[value, label], ...]}], "illegal_when": {question: [values]}}}``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from hashwarden.core.errors import ConfigError

SCHEMES_ENV = "HASHWARDEN_SCHEMES_FILE"


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    label: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Scheme:
    name: str
    label: str
    questions: tuple[Question, ...]
    #: Answers that make an item illegal (it then goes into a list); others do not.
    illegal_when: dict[str, frozenset[str]]

    def value(self, answers: dict[str, str]) -> str:
        """The category value stored with the list entry, e.g. ``A`` or ``baseline/3-13/girl``."""
        return "/".join(answers[q.name] for q in self.questions)

    def check(self, answers: dict[str, str]) -> dict[str, str]:
        checked: dict[str, str] = {}
        for question in self.questions:
            answer = answers.get(question.name, "")
            if answer not in {value for value, _ in question.options}:
                raise ValueError(f"{question.label}: choose one of the options")
            checked[question.name] = answer
        return checked

    def is_illegal(self, answers: dict[str, str]) -> bool:
        return all(answers.get(name) in values for name, values in self.illegal_when.items())


BUILTIN: dict[str, Scheme] = {
    "iwf": Scheme(
        "iwf",
        "IWF / UK severity",
        (Question("severity", "Category", (
            ("A", "A: penetrative sexual activity, with an animal, or sadism"),
            ("B", "B: non-penetrative sexual activity"),
            ("C", "C: other indecent images"),
            ("none", "Not indecent"),
        )),),
        {"severity": frozenset({"A", "B", "C"})},
    ),
    "iccam": Scheme(
        "iccam",
        "INHOPE ICCAM",
        (
            Question("legality", "Legal assessment", (
                ("baseline", "Baseline (internationally illegal)"),
                ("national", "Nationally illegal"),
                ("not_illegal", "Not illegal"),
            )),
            Question("age", "Victim age band", (("0-2", "0-2"), ("3-13", "3-13"),
                                                ("14-17", "14-17"), ("unknown", "Unknown"))),
            Question("gender", "Victim gender", (("girl", "Girl"), ("boy", "Boy"),
                                                 ("both", "Both"), ("unknown", "Unknown"))),
        ),
        {"legality": frozenset({"baseline", "national"})},
    ),
}


def load_schemes() -> dict[str, Scheme]:
    """The built-in schemes, or those of ``$HASHWARDEN_SCHEMES_FILE``."""
    path = os.environ.get(SCHEMES_ENV, "").strip()
    if not path:
        return dict(BUILTIN)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return {
            name: Scheme(
                name,
                str(spec["label"]),
                tuple(
                    Question(str(q["name"]), str(q["label"]),
                             tuple((str(v), str(label)) for v, label in q["options"]))
                    for q in spec["questions"]
                ),
                {k: frozenset(map(str, v)) for k, v in spec["illegal_when"].items()},
            )
            for name, spec in raw.items()
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{SCHEMES_ENV}: cannot read the schemes in {path}: {exc}") from exc
