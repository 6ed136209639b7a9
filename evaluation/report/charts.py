"""The report summary's charts, drawn on the server as inline SVG: no script, no external file, so the
same markup shows on the page and goes into the PDF.

Made to print in black and white: each grade has its own fill AND texture by its rank in the plan's
scheme (rank_key: Setagaya's A solid dark, B diagonal lines, C dots, D cross-hatched dark; a scheme of
more labels steps between them; a state's label such as 中止 grey with horizontal lines; ー white with a
dashed edge), and every letter and count is printed as text (in the segment where it fits, and always on
the line under the bar), so nothing is told by colour alone. One user unit is one millimetre: the
intrinsic size prints at scale on A4 landscape, and the viewBox lets a page scale it down. Colours are
the Digital Agency design tokens (static/vendor/digital-go-jp-design-tokens/tokens.css). Geometry is
exact Decimal, never float; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Tokens (tokens.css) used where SVG needs a hex.
INK = "#1a1a1a"  # --color-neutral-solid-gray-900
MUTED = "#4d4d4d"  # --color-neutral-solid-gray-700
EDGE = "#333333"  # --color-neutral-solid-gray-800
WHITE = "#ffffff"  # --color-neutral-white

# Each grade's tile: (background, texture drawn over it in a 2 mm tile, texture colour).
_TEXTURES = {
    "a": ("#115a36", "", ""),  # --color-primitive-green-900, solid
    "b": ("#d9e6ff", "M0,2 L2,0 M-0.5,0.5 L0.5,-0.5 M1.5,2.5 L2.5,1.5", "#0017c1"),  # blue-100, blue-900 lines
    "c": ("#fff0b3", "dots", "#8b3200"),  # yellow-100, orange-1000 dots
    "d": ("#a90000", "M0,0 L2,2 M2,0 L0,2", WHITE),  # red-1000, white cross-hatch
    # The steps between them, for a scheme of more than four labels (佐野市's 7 … 1).
    "ab": ("#9bd4b5", "M1,0 L1,2", "#115a36"),  # green-200, green-900 upright lines
    "bc": ("#ffffff", "M0,2 L2,0 M-0.5,0.5 L0.5,-0.5 M1.5,2.5 L2.5,1.5", "#8b3200"),  # orange-1000 lines on white
    "cd": ("#ffc199", "M0,0 L2,2 M-0.5,1.5 L0.5,2.5 M1.5,-0.5 L2.5,0.5", "#a90000"),  # orange-200, red lines
    "state": ("#e6e6e6", "M0,1 L2,1", "#4d4d4d"),  # gray-100, gray-700 level lines: a state (中止, 完了 …)
    "none": (WHITE, "", ""),
}
# A scheme's grade labels, best first, take these fills by rank: four or fewer from the first ramp (so
# Setagaya's A–D look as they always have), more from the second.
_RAMP_OF_FOUR = ("a", "b", "c", "d")
_RAMP_OF_SEVEN = ("a", "ab", "b", "bc", "c", "cd", "d")
# The fills of the year-over-year chart: earlier years in grays, lighter the older; this year in blue.
_EARLIER_FILLS = ("#e6e6e6", "#cccccc", "#999999")  # gray-100, gray-200, gray-400
_THIS_YEAR_FILL = "#0017c1"  # blue-900

FONT = Decimal("3.4")  # text size in mm (about 10 pt)
SMALL = Decimal("3.2")
WIDTH = Decimal(150)


@dataclass(frozen=True)
class Segment:
    """One grade's part of a bar: `key` picks its fill (rank_key's, state or none), `letter` is printed."""

    key: str
    letter: str
    count: int


@dataclass(frozen=True)
class Bar:
    """A horizontal stacked bar: its label at the left and its segments in grade order."""

    label: str
    segments: tuple[Segment, ...]
    is_total: bool = False

    @property
    def total(self) -> int:
        return sum(segment.count for segment in self.segments)


@dataclass(frozen=True)
class Group:
    """A grade in the year-over-year chart: its count in each year (in the order of the years), and
    each count's share as printed (「46.2%」)."""

    key: str
    letter: str
    counts: tuple[int, ...]
    shares: tuple[str, ...]


def rank_key(rank: int, count: int) -> str:
    """The fill of the label at `rank` (0 = best) of a scheme's `count` grade labels: the best always
    a, the worst always d, the others spread evenly between (a middle one rounds towards the better)."""
    ramp = _RAMP_OF_FOUR if count <= len(_RAMP_OF_FOUR) else _RAMP_OF_SEVEN
    if count <= 1:
        return ramp[0]
    step = Decimal(rank * (len(ramp) - 1)) / Decimal(count - 1)
    return ramp[int(step.to_integral_value(rounding=ROUND_HALF_DOWN))]


def _count_mark(letter: str) -> str:
    """What stands between a label and its count: a colon after a label that is a number (佐野市's
    「7: 20」, not 「7 20」), nothing after a letter or a mark (「A 12」)."""
    return ":" if letter[-1:].isdigit() else ""


def counted(letter: str, count: int) -> str:
    """A label and its count as printed: 「A 12」, 「○ 3」, 「7: 20」."""
    return f"{letter}{_count_mark(letter)} {count}"


def _round(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _n(value: Decimal | int) -> str:
    """A coordinate: at most two decimals, no exponent, no grouping, whatever the locale."""
    value = _round(value)
    return f"{value.normalize():f}" if value else "0"


def _text_width(text: str, size: Decimal) -> Decimal:
    """A generous estimate of a text's width: a full-width character is one em, others 0.62 em."""
    ems = sum(Decimal(1) if ord(char) > 0x2E7F else Decimal("0.62") for char in text)
    return ems * size


def _defs(chart_id: str, keys: set[str]) -> SafeString:
    """One pattern per grade the chart shows, named `<chart_id>-<key>` (ids unique on the page)."""
    parts = []
    for key, (background, texture, colour) in _TEXTURES.items():
        if not texture or key not in keys:
            continue
        if texture == "dots":
            mark = format_html('<circle cx="1" cy="1" r="0.5" fill="{}"/>', colour)
        else:
            mark = format_html('<path d="{}" stroke="{}" stroke-width="0.45"/>', texture, colour)
        parts.append(
            format_html(
                '<pattern id="{}-{}" width="2" height="2" patternUnits="userSpaceOnUse">'
                '<rect width="2" height="2" fill="{}"/>{}</pattern>',
                chart_id,
                key,
                background,
                mark,
            )
        )
    return format_html("<defs>{}</defs>", mark_safe("".join(parts)))


def _fill(chart_id: str, key: str) -> str:
    background, texture, _colour = _TEXTURES[key]
    return f"url(#{chart_id}-{key})" if texture else background


def _swatch(chart_id: str, key: str, x: Decimal, y: Decimal, width: Decimal, height: Decimal) -> SafeString:
    dashed = ' stroke-dasharray="0.8 0.5"' if key == "none" else ""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="0.3"{}/>',
        _n(x),
        _n(y),
        _n(width),
        _n(height),
        _fill(chart_id, key),
        EDGE,
        mark_safe(dashed),
    )


def _text(x, y, content, *, size=FONT, anchor="start", weight="normal", fill=INK) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}" font-weight="{}" fill="{}">{}</text>',
        _n(x),
        _n(y),
        _n(size),
        anchor,
        weight,
        fill,
        content,
    )


# The report's face first (the PDF embeds it), then the faces a browser may have.
CHART_FONT = "Mezasu Report, BIZ UDPGothic, Noto Sans CJK JP, Noto Sans JP, sans-serif"


def _svg(
    chart_id: str, width: Decimal, height: Decimal, title: str, description: str, body: list, keys: set[str]
) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="summary-chart" id="{}" role="img" aria-label="{}" '
        'width="{}mm" height="{}mm" viewBox="0 0 {} {}" font-family="{}">'
        "<title>{}</title><desc>{}</desc>{}{}</svg>",
        chart_id,
        title,
        _n(width),
        _n(height),
        _n(width),
        _n(height),
        CHART_FONT,
        title,
        description,
        _defs(chart_id, keys),
        mark_safe("".join(body)),
    )


def _legend(chart_id: str, segments: Sequence[Segment], y: Decimal) -> list[SafeString]:
    """The key of the textures along the top: a swatch and the grade's letter (ー with its meaning)."""
    parts, x = [], Decimal(0)
    for segment in segments:
        label = segment.letter if segment.key != "none" else f"{segment.letter} {_('Not graded')}"
        parts.append(_swatch(chart_id, segment.key, x, y - Decimal("3.2"), Decimal(6), Decimal(4)))
        parts.append(_text(x + Decimal("7.5"), y, label, weight="bold"))
        x += Decimal(10) + _text_width(label, FONT)
    return parts


def stacked_bars(chart_id: str, bars: Sequence[Bar], *, title: str, description: str) -> SafeString:
    """Horizontal stacked bars of the grade distribution, one per row: the label at the left, the
    segments in proportion to their counts, the letter and count inside each segment wide enough,
    and under the bar every grade's letter and count and the total."""
    label_width = max([Decimal(32), *(_text_width(bar.label, FONT) + 3 for bar in bars)])
    bar_x, bar_width = label_width, WIDTH - label_width - 1
    bar_height, pitch, top = Decimal(7), Decimal(15), Decimal(11)
    body = _legend(chart_id, bars[0].segments, Decimal(5)) if bars else []
    for index, bar in enumerate(bars):
        y = top + pitch * index
        weight = "bold" if bar.is_total else "normal"
        body.append(_text(bar_x - 2, y + Decimal("5.1"), bar.label, anchor="end", weight=weight))
        body.extend(_bar_segments(chart_id, bar, bar_x, y, bar_width, bar_height))
        body.append(_counts_line(bar, bar_x, y + bar_height + Decimal("4.2")))
    height = top + pitch * len(bars) - 1
    keys = {segment.key for bar in bars for segment in bar.segments}
    return _svg(chart_id, WIDTH, height, title, description, body, keys)


def _bar_segments(chart_id: str, bar: Bar, x: Decimal, y: Decimal, width: Decimal, height: Decimal) -> list:
    if not bar.total:
        return [
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="0.3" '
                'stroke-dasharray="0.8 0.5"/>',
                _n(x),
                _n(y),
                _n(width),
                _n(height),
                WHITE,
                EDGE,
            ),
            _text(x + width / 2, y + Decimal("5.1"), _("No outcome indicator"), size=SMALL, anchor="middle"),
        ]
    # Each edge is rounded once, so the segments meet without a gap and end exactly at the bar's end.
    parts, counted, left = [], 0, _round(x)
    for segment in bar.segments:
        if not segment.count:
            continue
        counted += segment.count
        right = _round(x + width * counted / bar.total)
        parts.append(_swatch(chart_id, segment.key, left, y, right - left, height))
        parts.extend(_segment_label(segment, left, y, right - left))
        left = right
    return parts


def _segment_label(segment: Segment, x: Decimal, y: Decimal, width: Decimal) -> list:
    """The letter and count on a white chip inside the segment, or the letter alone, or nothing when
    even that does not fit (the line under the bar has them all)."""
    for text in (counted(segment.letter, segment.count), segment.letter):
        chip = _text_width(text, SMALL) + Decimal("1.6")
        if chip + 1 <= width:
            centre = x + width / 2
            return [
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="4.4" rx="0.6" fill="{}" stroke="{}" stroke-width="0.2"/>',
                    _n(centre - chip / 2),
                    _n(y + Decimal("1.3")),
                    _n(chip),
                    WHITE,
                    EDGE,
                ),
                _text(centre, y + Decimal("4.6"), text, size=SMALL, anchor="middle", weight="bold"),
            ]
    return []


def _counts_line(bar: Bar, x: Decimal, y: Decimal) -> SafeString:
    """「A 12　B 8　C 3　D 1　ー 2　合計 26」 under the bar, zeros included."""
    spans = [
        format_html('<tspan font-weight="bold">{}</tspan>{} {}', s.letter, _count_mark(s.letter), s.count)
        for s in bar.segments
    ]
    spans.append(format_html('<tspan font-weight="bold">{}</tspan> {}', _("Total"), bar.total))
    return format_html(
        '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
        _n(x),
        _n(y),
        _n(SMALL),
        MUTED,
        mark_safe("\u3000".join(spans)),
    )


def grouped_bars(
    chart_id: str, years: Sequence[str], groups: Sequence[Group], *, title: str, description: str
) -> SafeString:
    """Grades side by side across years: for each grade (its texture and letter at the left), one
    horizontal bar per year, labelled with the year, its length in proportion to the count, the count
    and share printed after it. The years are told by their label on each bar, and by fill shade."""
    year_width = max([Decimal(30), *(_text_width(year, SMALL) + 3 for year in years)])
    bar_x = Decimal(14) + year_width
    bar_width = WIDTH - bar_x - Decimal(26)
    most = max([1, *(count for group in groups for count in group.counts)])
    earlier = len(years) - 1
    fills = [_EARLIER_FILLS[max(0, len(_EARLIER_FILLS) - earlier + index)] for index in range(earlier)]
    fills.append(_THIS_YEAR_FILL)
    pitch, gap, y = Decimal("5.5"), Decimal(3), Decimal(1)
    body = []
    for group in groups:
        body.append(_swatch(chart_id, group.key, Decimal(0), y, Decimal(5), Decimal(5)))
        body.append(_text(Decimal(7), y + Decimal(4), group.letter, weight="bold"))
        for index, (year, count, share) in enumerate(zip(years, group.counts, group.shares, strict=True)):
            row = y + pitch * index
            fill = fills[index]
            length = bar_width * count / most
            body.append(_text(bar_x - 2, row + Decimal("3.6"), year, size=SMALL, anchor="end"))
            if count:
                body.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="4" fill="{}" stroke="{}" stroke-width="0.2"/>',
                        _n(bar_x),
                        _n(row),
                        _n(length),
                        fill,
                        EDGE,
                    )
                )
            body.append(_text(bar_x + length + Decimal("1.5"), row + Decimal("3.6"), f"{count} ({share})", size=SMALL))
        y += pitch * len(years) + gap
    return _svg(chart_id, WIDTH, y, title, description, body, {group.key for group in groups})
