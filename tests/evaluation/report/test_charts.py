"""The summary's charts: well-formed SVG, accessible, every letter and count as text, proportions in
exact decimals, text escaped, nothing loaded from outside."""

import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal

import pytest

from evaluation.report.charts import Bar, Group, Segment, grouped_bars, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"^\d+(\.\d{1,2})?$")


def bar(label, a=0, b=0, c=0, d=0, none=0, **options):
    segments = (
        Segment("a", "A", a),
        Segment("b", "B", b),
        Segment("c", "C", c),
        Segment("d", "D", d),
        Segment("none", "ー", none),
    )
    return Bar(label, segments, **options)


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_stacked_bars_are_well_formed_and_accessible():
    root = parse(stacked_bars("chart-1", [bar("柱1", a=3, b=2)], title="評価の分布", description="柱1: A 3, B 2"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "評価の分布"
    assert root.find(f"{SVG}title").text == "評価の分布"
    assert root.find(f"{SVG}desc").text == "柱1: A 3, B 2"
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("width").endswith("mm") and root.get("height").endswith("mm")


def test_every_letter_and_count_is_printed_as_text_zeros_included():
    root = parse(stacked_bars("c", [bar("推進施策1", a=12, b=7, c=3, d=1, none=2)], title="t", description="d"))

    lines = texts(root)
    assert "A 12\u3000B 7\u3000C 3\u3000D 1\u3000ー 2\u3000合計 25" in lines
    root = parse(stacked_bars("c", [bar("推進施策2", a=4)], title="t", description="d"))
    assert "A 4\u3000B 0\u3000C 0\u3000D 0\u3000ー 0\u3000合計 4" in texts(root)


def test_a_wide_segment_carries_its_letter_and_count_a_narrow_one_nothing():
    root = parse(stacked_bars("c", [bar("柱1", a=60, d=1)], title="t", description="d"))

    lines = texts(root)
    assert "A 60" in lines
    assert "D 1" not in lines and lines.count("D") == 1  # too narrow: only the legend's D, and the line under the bar
    assert lines[-1].startswith("A 60\u3000B 0\u3000C 0\u3000D 1")


def rects_of_pattern(root, chart_id, key):
    fill = f"url(#{chart_id}-{key})" if key != "a" else "#115a36"
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == fill and rect.get("height") == "7"]


def test_segments_are_in_proportion_and_fill_the_bar_exactly():
    root = parse(stacked_bars("p", [bar("柱1", a=1, b=1, c=1)], title="t", description="d"))

    segments = [rect for rect in root.iter(f"{SVG}rect") if rect.get("height") == "7"]
    widths = [Decimal(rect.get("width")) for rect in segments]
    assert widths[0] == widths[1] == widths[2]
    assert sum(widths) == Decimal(150) - Decimal(32) - 1  # the bar's width, to the hundredth
    assert [rect.get("fill") for rect in segments] == ["#115a36", "url(#p-b)", "url(#p-c)"]


def test_each_grade_has_a_texture_of_its_own_named_after_the_chart():
    first, second = (stacked_bars(name, [bar("x", a=1)], title="t", description="d") for name in ("one", "two"))

    patterns = [pattern.get("id") for pattern in parse(first).iter(f"{SVG}pattern")]
    assert patterns == ["one-b", "one-c", "one-d"]  # A is solid, ー white with a dashed edge
    assert not set(patterns) & {pattern.get("id") for pattern in parse(second).iter(f"{SVG}pattern")}


@pytest.mark.usefixtures("english")
def test_a_bar_without_outcomes_says_so():
    root = parse(stacked_bars("e", [bar("Policy area 3")], title="t", description="d"))

    assert "No outcome indicator" in texts(root)
    assert texts(root)[-1] == "A 0\u3000B 0\u3000C 0\u3000D 0\u3000ー 0\u3000Total 0"


def test_text_is_escaped_and_coordinates_are_plain_decimals():
    svg = str(stacked_bars('x"y', [bar("A&B <柱>", a=2, b=1)], title='"評価" & <分布>', description="</desc><script>"))

    root = parse(svg)
    assert "A&B <柱>" in texts(root)
    assert root.find(f"{SVG}title").text == '"評価" & <分布>'
    assert root.find(f"{SVG}desc").text == "</desc><script>"
    assert "<script" not in svg and "href" not in svg
    for element in root.iter():
        for name in ("x", "y", "width", "height"):
            if element.get(name) is not None and element.tag != f"{SVG}svg":
                assert NUMBER.match(element.get(name)), (element.tag, name, element.get(name))


@pytest.mark.usefixtures("english")
def test_the_legend_names_the_not_graded_segment():
    root = parse(stacked_bars("l", [bar("Pillar 1", a=1)], title="t", description="d"))

    assert "ー Not graded" in texts(root)


def test_grouped_bars_show_each_year_with_its_count_and_share():
    years = ["令和6年度（2024年度）", "令和7年度（2025年度）"]
    groups = [
        Group("a", "A", (2, 4), ("40.0%", "80.0%")),
        Group("b", "B", (3, 1), ("60.0%", "20.0%")),
        Group("none", "ー", (0, 0), ("0.0%", "0.0%")),
    ]

    root = parse(grouped_bars("yoy", years, groups, title="前年度との比較", description="A: 2, 4"))

    lines = texts(root)
    assert root.get("role") == "img" and root.get("aria-label") == "前年度との比較"
    assert lines.count(years[0]) == 3 and lines.count(years[1]) == 3
    assert {"A", "B", "ー", "2 (40.0%)", "4 (80.0%)", "3 (60.0%)", "1 (20.0%)", "0 (0.0%)"} <= set(lines)
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("height") == "4"]
    longest = Decimal(bars[1].get("width"))  # A in 2025: 4, the most
    expected = [longest * count / 4 for count in (2, 4, 3, 1)]  # A 2024, A 2025, B 2024, B 2025; ー draws none
    assert [Decimal(rect.get("width")) for rect in bars] == [
        width.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for width in expected
    ]
    assert bars[0].get("fill") != bars[1].get("fill")  # this year stands out by shade too
