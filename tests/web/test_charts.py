"""Server-side SVG charts: structure, scaling, escaping, empty input and accessibility."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.web import charts
from hashwarden.web.charts import (
    data_table,
    histogram,
    histogram_table,
    nice_ticks,
    rounded_percentages,
    share_bar,
    share_table,
    stacked_bars,
    stacked_bars_table,
)

NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & "q" \'s'
COORDS = ("x", "y", "width", "height", "x1", "x2", "y1", "y2")
EPS = 0.011  # coordinates are written with two decimals


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}rect") if e.get("class") == "bar"]


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def box(element: ET.Element) -> tuple[float, float, float, float]:
    x, y, width, height = (float(element.get(k, "nan")) for k in ("x", "y", "width", "height"))
    return x, y, width, height


def plot_area(root: ET.Element) -> tuple[float, float, float, float]:
    [area] = by_class(root, "plot-area")
    return box(area)


def tick_labels(root: ET.Element, axis: str) -> list[str]:
    return [tick.findtext(f"{NS}text") or "" for tick in by_class(root, f"{axis}-tick")]


def tick_values(root: ET.Element) -> list[float]:
    return [float(label.replace(",", "")) for label in tick_labels(root, "y")]


def tooltip(element: ET.Element) -> str:
    title = element.find(f"{NS}title")
    assert title is not None and title.text is not None
    return title.text


def all_text(root: ET.Element) -> str:
    return " ".join("".join(e.itertext()) for e in root)


def assert_accessible(root: ET.Element) -> None:
    assert root.get("role") == "img"
    labelled, described = root.get("aria-labelledby"), root.get("aria-describedby")
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title is not None and title.get("id") == labelled and title.text
    assert desc is not None and desc.get("id") == described and desc.text


def assert_finite_coordinates(root: ET.Element) -> None:
    for element in root.iter():
        for name in COORDS:
            if (value := element.get(name)) is not None:
                assert math.isfinite(float(value)), (element.tag, name, value)


def assert_bars_inside(root: ET.Element) -> None:
    px, py, pw, ph = plot_area(root)
    for bar in bars(root):
        x, y, w, h = box(bar)
        assert w >= 0 and h >= 0
        assert x >= px - EPS and x + w <= px + pw + EPS
        assert y >= py - EPS and y + h <= py + ph + EPS


def is_nice_step(step: float) -> bool:
    exponent = math.floor(math.log10(step))
    mantissa = step / 10**exponent
    return any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 5, 10))


def assert_nice_cover(ticks: Sequence[float], max_value: float) -> None:
    assert ticks[0] == 0
    assert ticks[-1] >= max_value
    steps = [b - a for a, b in pairwise(ticks)]
    assert steps and all(math.isclose(s, steps[0], rel_tol=1e-9) for s in steps)
    assert is_nice_step(steps[0])
    # Covering with one step fewer would not reach the maximum: no wasted headroom.
    assert len(ticks) == 2 or ticks[-2] < max_value


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- stacked bars ----------------------------------------------------------------------------


def test_stacked_bars_draw_one_segment_per_non_zero_value() -> None:
    root = parse(
        stacked_bars(
            ["2024-05-01", "2024-05-02", "2024-05-03"],
            {"images": [3, 0, 2.5], "videos": [1, 4, 0]},
            title="Reports per day",
            x_label="Day",
            y_label="Reports",
        )
    )
    assert_accessible(root)
    assert len(bars(root)) == 4
    assert [tooltip(b) for b in bars(root)][:2] == [
        "2024-05-01, images: 3 (total 4)",
        "2024-05-01, videos: 1 (total 4)",
    ]
    assert len(by_class(root, "legend-item")) == 2
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text is not None
    assert "images 5.5; videos 5; overall 10.5" in desc.text
    assert "Highest: 2024-05-01 with 4" in desc.text


def test_stacked_heights_are_proportional_and_segments_touch() -> None:
    values: dict[str, list[float]] = {"a": [1, 2, 3, 10], "b": [4, 0, 2, 7], "c": [0.5, 6, 0, 1]}
    root = parse(stacked_bars(["w", "x", "y", "z"], values, title="t", x_label="x", y_label="y"))
    _, py, _, ph = plot_area(root)
    top = tick_values(root)[-1]
    for bar in bars(root):
        value = float(bar.get("data-value", "nan"))
        assert float(bar.get("height", "nan")) == pytest.approx(value * ph / top, abs=EPS)
    # Segments of one bar stack without gaps and the bar's top matches its total.
    columns: dict[str, list[ET.Element]] = {}
    for bar in bars(root):
        columns.setdefault(bar.get("x", ""), []).append(bar)
    assert len(columns) == 4
    for segments in columns.values():
        for lower, upper in pairwise(segments):
            assert float(upper.get("y", "0")) + float(upper.get("height", "0")) == pytest.approx(
                float(lower.get("y", "0")), abs=EPS
            )
        total = sum(float(s.get("data-value", "0")) for s in segments)
        assert float(segments[-1].get("y", "0")) == pytest.approx(
            py + ph - total * ph / top, abs=EPS
        )


@pytest.mark.parametrize("peak", [1, 3, 7, 10, 11, 0.3, 0.07, 97, 1234, 999_999, 1e15])
def test_y_ticks_are_nice_and_cover_the_maximum(peak: float) -> None:
    root = parse(
        stacked_bars(["a", "b"], {"s": [peak / 3, peak]}, title="t", x_label="x", y_label="y")
    )
    assert_nice_cover(tick_values(root), peak)


@given(st.floats(min_value=0, max_value=charts.MAX_VALUE, allow_subnormal=False))
def test_nice_ticks_property(peak: float) -> None:
    ticks = nice_ticks(peak)
    if peak == 0:
        assert ticks == [0.0, 1.0]
    else:
        assert_nice_cover(ticks, peak)
        assert 2 <= len(ticks) <= 11


def test_integer_ticks_never_step_below_one() -> None:
    assert nice_ticks(2, integer=True) == [0, 1, 2]
    assert nice_ticks(1, integer=True) == [0, 1]


def test_labels_are_escaped_everywhere() -> None:
    svg = stacked_bars(
        [EVIL, "ok"], {EVIL: [1, 2], "b&b": [3, 0]}, title=EVIL, x_label=EVIL, y_label=EVIL
    )
    assert "<script>" not in svg and "</script>" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg and "&quot;" in svg
    root = parse(svg)
    title = root.find(f"{NS}title")
    assert title is not None and title.text == EVIL
    series_names = {b.get("data-series") for b in bars(root)}
    assert series_names == {EVIL, "b&b"}
    assert tooltip(by_class(root, "legend-item")[0]) == EVIL
    assert not list(root.iter("script")) and not list(root.iter(f"{NS}script"))


def test_characters_xml_forbids_are_replaced() -> None:
    label = "bad\x00\x1b\ud800label"
    root = parse(stacked_bars([label], {label: [1]}, title=label, x_label="x", y_label="y"))
    assert bars(root)[0].get("data-series") == "bad\ufffd\ufffd\ufffdlabel"


@pytest.mark.parametrize(
    "categories, series",
    [([], {}), (["a", "b"], {}), ([], {"s": []}), (["a", "b"], {"s": [0, 0], "t": [0, 0]})],
)
def test_no_data_still_gives_a_valid_chart(
    categories: list[str], series: dict[str, list[float]]
) -> None:
    root = parse(stacked_bars(categories, series, title="Empty", x_label="x", y_label="y"))
    assert_accessible(root)
    assert not bars(root)
    assert [e.text for e in by_class(root, "no-data")] == ["No data"]


def test_single_value_fills_the_plot() -> None:
    root = parse(stacked_bars(["only"], {"s": [7]}, title="t", x_label="x", y_label="y"))
    [bar] = bars(root)
    assert_bars_inside(root)
    assert tick_values(root)[-1] >= 7
    assert float(bar.get("height", "0")) > 0


@pytest.mark.parametrize(
    "series",
    [
        {"s": [1, -1]},
        {"s": [1, math.nan]},
        {"s": [1, math.inf]},
        {"s": [1]},
        {"s": [1, 2, 3]},
        {"s": ["1", 2]},
        {"s": [1, 2e15]},
        {f"s{i}": [1, 1] for i in range(charts.MAX_SERIES + 1)},
    ],
)
def test_bad_series_are_refused(series: dict[str, list[float]]) -> None:
    with pytest.raises(ValueError):
        stacked_bars(["a", "b"], series, title="t", x_label="x", y_label="y")


def test_too_small_chart_is_refused() -> None:
    with pytest.raises(ValueError):
        stacked_bars(["a"], {"s": [1]}, title="t", x_label="x", y_label="y", width=50)


@pytest.mark.parametrize("title", ["", "  \n"])
def test_blank_title_is_refused_as_it_is_the_accessible_name(title: str) -> None:
    with pytest.raises(ValueError, match="accessible name"):
        stacked_bars([], {}, title=title, x_label="x", y_label="y")
    with pytest.raises(ValueError, match="accessible name"):
        histogram([], bins=3, title=title, x_label="x", unit="h")
    with pytest.raises(ValueError, match="accessible name"):
        share_bar({}, title=title)


def test_ninety_days_get_thin_bars_and_thinned_labels() -> None:
    days = [f"2024-{1 + i // 30:02d}-{1 + i % 30:02d}" for i in range(90)]
    series = {"images": [i % 7 for i in range(90)], "videos": [(i * 3) % 5 + 1 for i in range(90)]}
    root = parse(stacked_bars(days, series, title="t", x_label="Day", y_label="Reports"))
    assert_bars_inside(root)
    assert len({b.get("x") for b in bars(root)}) == 90
    assert all(0 < float(b.get("width", "0")) < 8 for b in bars(root))
    labels = [t.find(f"{NS}text") for t in by_class(root, "x-tick")]
    assert 2 <= len(labels) < 90
    width = len(days[0]) * charts.TICK_FONT_SIZE * charts.CHAR_WIDTH
    positions = [float(t.get("x", "nan")) for t in labels if t is not None]
    assert all(b - a >= width for a, b in pairwise(positions))
    assert all(width / 2 <= x <= 640 - width / 2 for x in positions)


def test_output_is_deterministic() -> None:
    def render(top: float) -> str:
        return stacked_bars(["a", "b"], {"s": [1, top]}, title="t", x_label="x", y_label="y")

    assert render(2) == render(2)
    first, second = parse(render(2)), parse(render(3))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_palette_meets_contrast_and_stays_distinct() -> None:
    assert len(set(charts.PALETTE)) == len(charts.PALETTE) == charts.MAX_SERIES
    for colour in charts.PALETTE:
        assert contrast(colour, charts.BACKGROUND) >= 3
    assert contrast(charts.TEXT_COLOUR, charts.BACKGROUND) >= 4.5
    assert contrast(charts.AXIS_COLOUR, charts.BACKGROUND) >= 3
    assert contrast(charts.MARKER_COLOUR, charts.BACKGROUND) >= 3


# --- histogram -------------------------------------------------------------------------------


def test_histogram_counts_bins_and_marks_the_median() -> None:
    ages = [0.5, 1, 2, 3, 3, 4, 10, 25]
    root = parse(
        histogram(ages, bins=5, title="Queue age", x_label="Age (hours)", unit="h", marker=3)
    )
    assert_accessible(root)
    assert_bars_inside(root)
    # Round width 5 from 0: [0,5) holds six ages, [10,15) and [20,25] one each.
    assert [int(b.get("data-value", "0")) for b in bars(root)] == [6, 1, 1]
    assert [tooltip(b) for b in bars(root)] == [
        "0–5 h: 6 values",
        "10–15 h: 1 value",
        "20–25 h: 1 value",
    ]
    assert tick_labels(root, "x") == ["0", "5", "10", "15", "20", "25"]
    px, py, pw, ph = plot_area(root)
    [marker] = by_class(root, "marker")
    line = marker.find(f"{NS}line")
    assert line is not None
    assert float(line.get("x1", "nan")) == pytest.approx(px + pw * 3 / 25, abs=EPS)
    assert float(line.get("y1", "nan")) == pytest.approx(py, abs=EPS)
    assert float(line.get("y2", "nan")) == pytest.approx(py + ph, abs=EPS)
    assert "Median: 3 h" in all_text(marker)
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text is not None
    assert "8 values" in desc.text and "Median: 3 h" in desc.text
    assert "0 to under 5 h with 6 values" in desc.text


def test_histogram_bins_are_round_and_at_most_the_request() -> None:
    for count in (1, 3, 7, 10, 24):
        table = ET.fromstring(
            histogram_table([0, 0.3, 11, 48.5], bins=count, caption="c", unit="h")
        )
        rows = table.findall("tbody/tr")
        assert 1 <= len(rows) <= count
        assert sum(int(r.findtext("td") or "0") for r in rows) == 4


def test_value_on_an_edge_goes_to_the_upper_bin_and_the_last_edge_is_inclusive() -> None:
    table = ET.fromstring(histogram_table([0.3, 0.4], bins=4, caption="c", unit=""))
    rows = {r.findtext("th"): r.findtext("td") for r in table.findall("tbody/tr")}
    assert rows == {
        "0 to under 0.1": "0",
        "0.1 to under 0.2": "0",
        "0.2 to under 0.3": "0",
        "0.3 to 0.4": "2",
    }


def test_explicit_edges_draw_equal_bins_and_report_values_outside() -> None:
    values = [0.5, 2, 3, 30, 300]
    root = parse(
        histogram(values, bins=[0, 1, 4, 24, 168], title="t", x_label="x", unit="h", marker=100)
    )
    assert_bars_inside(root)
    widths = {float(b.get("width", "0")) for b in bars(root)}
    assert len(widths) == 1
    [note] = by_class(root, "note")
    assert note.text == "Not shown: 1 value above 168 h."
    px, _, pw, _ = plot_area(root)
    line = by_class(root, "marker")[0].find(f"{NS}line")
    assert line is not None
    # 100 h lies 76/144 of the way through the fourth of four equally wide bins.
    assert float(line.get("x1", "nan")) == pytest.approx(px + pw * (3 + 76 / 144) / 4, abs=EPS)
    table = ET.fromstring(histogram_table(values, bins=[0, 1, 4, 24, 168], caption="c", unit="h"))
    assert table.findall("tbody/tr")[-1].findtext("th") == "Above 168 h"
    assert table.findtext("tfoot/tr/td") == "5"


def test_marker_outside_the_edges_is_named_not_drawn() -> None:
    root = parse(histogram([1, 2], bins=[0, 1, 2], title="t", x_label="x", unit="d", marker=9))
    assert not by_class(root, "marker")
    assert by_class(root, "marker-label")[0].text == "Median: 9 d (outside the chart)"


@pytest.mark.parametrize("values", [[0], [0, 0, 0], [5], [1e-9]])
def test_histogram_of_zeros_or_one_value(values: list[float]) -> None:
    root = parse(histogram(values, bins=10, title="t", x_label="x", unit="h"))
    assert_bars_inside(root)
    assert sum(int(b.get("data-value", "0")) for b in bars(root)) == len(values)


def test_empty_histogram_says_no_data() -> None:
    root = parse(histogram([], bins=10, title="t", x_label="x", unit="h", marker=None))
    assert_accessible(root)
    assert not bars(root) and by_class(root, "no-data")


@pytest.mark.parametrize(
    "values, bins, marker",
    [
        ([-1], 5, None),
        ([math.nan], 5, None),
        ([1], 0, None),
        ([1], True, None),
        ([1], [0], None),
        ([1], [0, 2, 1], None),
        ([1], [0, 0, 1], None),
        ([1], 5, -2),
        ([1], 5, math.inf),
    ],
)
def test_bad_histogram_input_is_refused(
    values: list[float], bins: int | list[float], marker: float | None
) -> None:
    with pytest.raises(ValueError):
        histogram(values, bins=bins, title="t", x_label="x", unit="h", marker=marker)


# --- share bar -------------------------------------------------------------------------------


def test_share_bar_percentages_sum_to_100() -> None:
    root = parse(share_bar({"known": 1, "new": 1, EVIL: 1}, title="Known vs new"))
    assert_accessible(root)
    segments = bars(root)
    assert [float(s.get("data-percent", "0")) for s in segments] == [34, 33, 33]
    assert [e.text for e in root.iter(f"{NS}text") if e.text and "%" in e.text] == [
        "known: 1 (34%)",
        "new: 1 (33%)",
        EVIL[: charts._LEGEND_CHARS - 1] + "…: 1 (33%)",
    ]
    # Widths use the exact shares and fill the bar.
    px, _, pw, _ = plot_area(root)
    widths = [float(s.get("width", "0")) for s in segments]
    assert sum(widths) == pytest.approx(pw, abs=3 * EPS)
    assert all(w == pytest.approx(pw / 3, abs=EPS) for w in widths)
    assert float(segments[0].get("x", "nan")) == pytest.approx(px)


def test_share_bar_with_decimals_and_a_zero_part() -> None:
    root = parse(share_bar({"known": 2, "new": 1, "unclear": 0}, title="t", decimals=1))
    assert len(bars(root)) == 2
    assert [tooltip(s) for s in bars(root)] == ["known: 2 of 3 (66.7%)", "new: 1 of 3 (33.3%)"]
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert desc.text == "known: 2 (66.7%); new: 1 (33.3%); unclear: 0 (0.0%). Total 3."


@pytest.mark.parametrize("parts", [{}, {"known": 0, "new": 0}])
def test_empty_share_bar_says_no_data(parts: dict[str, float]) -> None:
    root = parse(share_bar(parts, title="t"))
    assert not bars(root) and by_class(root, "no-data")


@given(
    st.lists(st.floats(min_value=0, max_value=1e12), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=2),
)
def test_rounded_percentages_always_sum_to_100(values: list[float], decimals: int) -> None:
    shares = rounded_percentages(values, decimals=decimals)
    total = sum(values)
    if total == 0:
        assert shares == [0.0] * len(values)
        return
    units = [round(s * 10**decimals) for s in shares]
    assert sum(units) == 100 * 10**decimals
    for value, unit in zip(values, units, strict=True):
        assert abs(unit - value / total * 100 * 10**decimals) < 1 + 1e-6


# --- data tables -----------------------------------------------------------------------------


def test_stacked_bars_table_has_caption_headers_and_totals() -> None:
    table = ET.fromstring(
        stacked_bars_table(["d1", EVIL], {"images": [1, 2], "a&b": [3, 4.5]}, caption=EVIL)
    )
    assert table.findtext("caption") == EVIL
    assert [th.text for th in table.findall("thead/tr/th")] == ["Date", "images", "a&b", "Total"]
    assert all(th.get("scope") == "col" for th in table.findall("thead/tr/th"))
    rows = table.findall("tbody/tr")
    assert [r.findtext("th") for r in rows] == ["d1", EVIL]
    assert [td.text for td in rows[1].findall("td")] == ["2", "4.5", "6.5"]
    assert [td.text for td in table.findall("tfoot/tr/td")] == ["3", "7.5", "10.5"]


def test_share_table_matches_the_bar() -> None:
    table = ET.fromstring(share_table({"known": 2, "new": 1}, caption="Share"))
    rows = [[c.text for c in r] for r in table.findall("tbody/tr")]
    assert rows == [["known", "2", "67%"], ["new", "1", "33%"]]
    assert [c.text for c in table.iterfind("tfoot/tr/*")] == ["Total", "3", "100%"]


def test_data_table_refuses_ragged_rows() -> None:
    with pytest.raises(ValueError):
        data_table("c", ["a", "b"], [("r", ["1", "2"])])


# --- properties ------------------------------------------------------------------------------

labels = st.text(max_size=30)
titles = labels.filter(str.strip)
value = st.floats(min_value=0, max_value=charts.MAX_VALUE)


@st.composite
def stacked_input(draw: st.DrawFn) -> tuple[list[str], dict[str, list[float]]]:
    categories = draw(st.lists(labels, max_size=120))
    names = draw(st.lists(labels, max_size=charts.MAX_SERIES, unique=True))
    values = st.lists(value, min_size=len(categories), max_size=len(categories))
    return categories, {name: draw(values) for name in names}


@settings(max_examples=150, deadline=None)
@given(stacked_input(), titles)
def test_stacked_bars_property(data: tuple[list[str], dict[str, list[float]]], text: str) -> None:
    categories, series = data
    svg = stacked_bars(categories, series, title=text, x_label=text, y_label=text)
    root = parse(svg)
    assert_accessible(root)
    assert_finite_coordinates(root)
    if bars(root):
        assert_bars_inside(root)
        assert_nice_cover(tick_values(root), max(map(sum, zip(*series.values(), strict=True))))
    expected = sum(1 for values in series.values() for v in values if v > 0)
    assert len(bars(root)) == expected
    assert svg == stacked_bars(categories, series, title=text, x_label=text, y_label=text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(value, max_size=200),
    st.one_of(
        st.integers(min_value=1, max_value=60),
        st.lists(value, min_size=2, max_size=12, unique=True).map(sorted),
    ),
    st.none() | value,
    labels,
    titles,
)
def test_histogram_property(
    values: list[float], bins: int | list[float], marker: float | None, unit: str, title: str
) -> None:
    root = parse(histogram(values, bins=bins, title=title, x_label=unit, unit=unit, marker=marker))
    assert_accessible(root)
    assert_finite_coordinates(root)
    if values:
        assert_bars_inside(root)
        table = ET.fromstring(histogram_table(values, bins=bins, caption=unit, unit=unit))
        assert table.findtext("tfoot/tr/td") == f"{len(values):,}"


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(labels, value, max_size=charts.MAX_SERIES))
def test_share_bar_property(parts: dict[str, float]) -> None:
    root = parse(share_bar(parts, title="t"))
    assert_finite_coordinates(root)
    segments = bars(root)
    if segments:
        assert_bars_inside(root)
        assert sum(float(s.get("data-percent", "0")) for s in segments) == pytest.approx(100)
