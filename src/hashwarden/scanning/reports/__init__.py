"""Scan reports, chosen by the report file's extension; JSON Lines is always written first."""

from __future__ import annotations

from pathlib import Path

from hashwarden.core.errors import ConfigError
from hashwarden.scanning.reports.csv import write_csv_report
from hashwarden.scanning.reports.html import write_html_report

REPORT_SUFFIXES = (".jsonl", ".csv", ".html", ".htm")


def check_report_path(report: Path) -> None:
    if report.suffix.lower() not in REPORT_SUFFIXES:
        raise ConfigError(
            f"report {report.name!r}: use a name ending in {', '.join(REPORT_SUFFIXES)}"
        )


def journal_path(report: Path) -> Path:
    """The JSON Lines file results stream into: the report itself, or ``<report>.jsonl``."""
    if report.suffix.lower() == ".jsonl":
        return report
    return report.with_name(report.name + ".jsonl")


def state_path(report: Path) -> Path:
    return report.with_name(report.name + ".state")


def render_report(report: Path) -> None:
    """Write a CSV or HTML report from the journal (a JSON Lines report needs nothing more)."""
    suffix = report.suffix.lower()
    if suffix == ".csv":
        write_csv_report(journal_path(report), report)
    elif suffix in (".html", ".htm"):
        write_html_report(journal_path(report), report)
