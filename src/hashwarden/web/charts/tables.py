"""HTML data tables with the numbers behind each chart, for everyone who cannot see it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .histogram import _bin, _bin_range
from .scales import _percent, _with_unit, format_value, rounded_percentages
from .svg import _esc
from .validation import _check_parts, _check_stacked


def data_table(
    caption: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[str]]],
    *,
    footer: tuple[str, Sequence[str]] | None = None,
) -> str:
    """An HTML table: ``columns`` head the columns (the first one the row headers), each row is
    a header cell and its data cells; all text is escaped."""
    width = len(columns)
    for head, cells in [*rows, *([footer] if footer else [])]:
        if len(cells) + 1 != width:
            raise ValueError(f"row {head!r} has {len(cells) + 1} cells for {width} columns")

    def row(head: str, cells: Sequence[str]) -> str:
        data = "".join(f'<td class="num">{_esc(cell)}</td>' for cell in cells)
        return f'<tr><th scope="row">{_esc(head)}</th>{data}</tr>'

    out = [
        '<table class="hw-chart-data">',
        f"<caption>{_esc(caption)}</caption>",
        "<thead><tr>"
        + "".join(f'<th scope="col">{_esc(c)}</th>' for c in columns)
        + "</tr></thead>",
        "<tbody>",
        *(row(head, cells) for head, cells in rows),
        "</tbody>",
    ]
    if footer:
        out += ["<tfoot>", row(*footer), "</tfoot>"]
    out.append("</table>")
    return "\n".join(out)


def stacked_bars_table(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    caption: str,
    category_header: str = "Date",
) -> str:
    """The numbers behind ``stacked_bars``: a row per category, a column per series, totals."""
    cats, names, rows = _check_stacked(categories, series)
    body = [
        (
            cat,
            [
                *(format_value(row[i]) for row in rows),
                format_value(math.fsum(row[i] for row in rows)),
            ],
        )
        for i, cat in enumerate(cats)
    ]
    sums = [math.fsum(row) for row in rows]
    footer = ("Total", [*(format_value(s) for s in sums), format_value(math.fsum(sums))])
    return data_table(caption, [category_header, *names, "Total"], body, footer=footer)


def histogram_table(
    values: Sequence[float],
    *,
    bins: int | Sequence[float],
    caption: str,
    unit: str,
    range_header: str = "Range",
    count_header: str = "Count",
) -> str:
    """The numbers behind ``histogram`` (same binning), including values outside the edges."""
    checked, binned = _bin(values, bins)
    rows = [
        (_bin_range(binned, i, unit, long=True), [format_value(count)])
        for i, count in enumerate(binned.counts)
    ]
    if binned.below:
        rows.insert(0, (f"Below {_with_unit(binned.edges[0], unit)}", [format_value(binned.below)]))
    if binned.above:
        rows.append((f"Above {_with_unit(binned.edges[-1], unit)}", [format_value(binned.above)]))
    footer = ("Total", [format_value(len(checked))])
    return data_table(caption, [range_header, count_header], rows, footer=footer)


def share_table(
    parts: Mapping[str, float],
    *,
    caption: str,
    decimals: int = 0,
    label_header: str = "Category",
    value_header: str = "Count",
) -> str:
    """The numbers behind ``share_bar``: value and rounded percentage per part, and the total."""
    names, values = _check_parts(parts)
    shares = rounded_percentages(values, decimals=decimals)
    total = math.fsum(values)
    rows = [
        (name, [format_value(value), _percent(share, decimals)])
        for name, value, share in zip(names, values, shares, strict=True)
    ]
    footer = ("Total", [format_value(total), _percent(100.0 if total else 0.0, decimals)])
    return data_table(caption, [label_header, value_header, "Share"], rows, footer=footer)
