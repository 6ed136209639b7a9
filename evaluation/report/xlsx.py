"""The report as an Excel book, for planning sections that edit the sheets before printing: one
worksheet per policy area, laid out like the printed sheet (evaluation.report.sheet) and the page
(templates/evaluation/report/_sheet.html).

A worksheet holds the year, 暫定 and its date, and the document label; the pillar and area headings;
per vision its band, its statement, the two header rows and one row per printed line: an initiative's
number and text merged over its rows, each indicator's number, name and baseline merged over its three
lines, 区分 and the year's value one per line, the grade, reason and department merged over the slot.
The footnotes a vision uses follow its table; ※1 ends the sheet.

A value of one figure is a number cell (the stored Decimal) whose format carries the thousands
separators, the printed decimals and the unit as a literal (`#,##0.0" %"`), so the unit stays apart
from the number; anything else is a text cell, guarded against formulas like every export. Row
heights and page breaks come from xlsx_layout. The texts are the document's own (Japanese, never
translated), as on the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from evaluation import display
from evaluation.report.sheet_parts import (
    GRADE_NOTE,
    Line,
    PrintedArea,
    PrintedIndicator,
    PrintedInitiative,
    PrintedVision,
    Sheet,
    Slot,
)
from evaluation.report.xlsx_layout import (
    BODY_SIZE,
    LINE_HEIGHT,
    PADDING,
    Need,
    area_titles,
    fit_heights,
    number_format,
    page_breaks,
    page_height,
    sheet_name,
    text_height,
)
from evaluation.workbook.cells import spreadsheet_safe

FONT_NAME = "BIZ UDPGothic"  # the PDF's universal-design face; Windows ships it (as BIZ UDPゴシック)

# The table's sixteen columns, as the page's <colgroup>; widths in the page's proportions.
PAGES, INITIATIVE_NUMBER, INITIATIVE = 1, 2, 3
ACTIVITY, OUTCOME = 4, 9  # each side: number, name, baseline, 区分, the year's value
NUMBER, NAME, BASELINE, KIND, VALUE = range(5)  # offsets within a side
GRADE, REASON, DEPARTMENT = 14, 15, 16
LAST = DEPARTMENT
WIDTHS = (8, 4.5, 26, *(6, 16, 9.5, 7.5, 11.5) * 2, 5.5, 20.5, 12)
ROW = LINE_HEIGHT + PADDING  # a row of one text line
SPACER = 8.0  # the blank row before a vision and before ※1

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="F0F0F0")
BAND_FILL = PatternFill("solid", fgColor="E8E8E8")


@dataclass(frozen=True)
class Style:
    size: float = BODY_SIZE
    bold: bool = False
    align: str = "left"
    vertical: str = "top"
    wrap: bool = True
    border: bool = True
    fill: PatternFill | None = None


CELL = Style()
CENTRED = Style(align="center")
FIGURE = Style(align="right", wrap=False)
GRADE_STYLE = Style(size=11, bold=True, align="center", vertical="center", wrap=False)
HEADER = Style(bold=True, align="center", vertical="center", fill=HEADER_FILL)
BAND = Style(bold=True, vertical="center", fill=BAND_FILL)
TEXT = Style(border=False)  # headings and notes above and below the table


def render_xlsx(sheet: Sheet) -> bytes:
    """The report's Excel book: one worksheet per policy area in plan order (one with the furniture
    and ※1 alone when the sheet has no area)."""
    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"{sheet.plan.name} {sheet.year_heading}"
    book.properties.creator = "Mezasu"
    taken: set[str] = set()
    areas: list[PrintedArea | None] = list(sheet.areas) or [None]
    for area, title in zip(areas, area_titles(sheet.areas) or [sheet.year_heading], strict=True):
        name = sheet_name(title, taken)
        taken.add(name)
        _AreaWriter(book.create_sheet(name), sheet).write(area)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _clean(text: str) -> str:
    """A text as a cell holds it: line breaks as \\n, no control character a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _header_text(text: str) -> str:
    """A text for a page header: & starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


@dataclass
class _AreaWriter:
    ws: Worksheet
    sheet: Sheet
    row: int = 1
    heights: dict[int, float] = field(default_factory=dict)
    needs: list[Need] = field(default_factory=list)
    preferred_breaks: list[int] = field(default_factory=list)  # rows a page may begin with: a vision, an initiative
    allowed_breaks: list[int] = field(default_factory=list)  # and, in an initiative taller than a page, a slot

    def write(self, area: PrintedArea | None) -> None:
        for column, width in enumerate(WIDTHS, start=1):
            self.ws.column_dimensions[get_column_letter(column)].width = width
        self._furniture()
        if area is not None:
            if area.pillar_heading:
                self._text(area.pillar_heading, replace(TEXT, size=11, bold=True))
            else:  # the area heading stays on row 3 on every sheet
                self._spacer(page_may_break=False)
            self._text(area.heading, replace(TEXT, size=10, bold=True))
            for index, vision in enumerate(area.visions):
                self._spacer(page_may_break=index > 0)
                self._vision(vision)
        self._spacer(page_may_break=False)  # ※1 stays with the last initiative, never alone on a page
        self._text(f"{GRADE_NOTE}　{self.sheet.grading_note}", TEXT)
        self._rows_and_pages()
        self._page_setup()

    # Cells ----------------------------------------------------------------------------------------

    def _cell(self, row: int, column: int, value, style: Style = CELL, *, rows: int = 1, to_column: int = 0):
        """Write a cell, merged over `rows` rows and up to `to_column` when given, and style the range.
        A text goes through spreadsheet_safe (a leading = + - @ is never a formula)."""
        last_row, last_column = row + rows - 1, to_column or column
        if isinstance(value, str):
            value = spreadsheet_safe(_clean(value))
        cell = self.ws.cell(row=row, column=column, value=value)
        cell.font = Font(name=FONT_NAME, size=style.size, bold=style.bold)
        cell.alignment = Alignment(horizontal=style.align, vertical=style.vertical, wrap_text=style.wrap)
        if (last_row, last_column) != (row, column):
            self.ws.merge_cells(start_row=row, start_column=column, end_row=last_row, end_column=last_column)
        cells = self.ws.iter_rows(min_row=row, max_row=last_row, min_col=column, max_col=last_column)
        for each in (each for line in cells for each in line):
            if style.border:
                each.border = BORDER
            if style.fill:
                each.fill = style.fill
        return cell

    def _fits(self, text: str, row: int, column: int, *, rows: int = 1, to_column: int = 0, size=BODY_SIZE):
        """Ask the rows to be tall enough for the text wrapped in the columns."""
        if text:
            width = sum(WIDTHS[column - 1 : to_column or column])
            self.needs.append(Need(row, row + rows - 1, text_height(text, width, size=size)))

    def _text(self, text: str, style: Style) -> None:
        """A line of text across the table: a heading, a footnote, ※1."""
        self._cell(self.row, 1, text, style, to_column=LAST)
        self._fits(text, self.row, 1, to_column=LAST, size=style.size)
        self.row += 1

    def _spacer(self, *, page_may_break: bool) -> None:
        self.heights[self.row] = SPACER
        if page_may_break:
            self.preferred_breaks.append(self.row + 1)
        self.row += 1

    # Parts of the sheet -------------------------------------------------------------------------

    def _furniture(self) -> None:
        """The year, 暫定 with the date printed, and the document label at the top right."""
        furniture = replace(TEXT, size=11, bold=True, wrap=False)
        self._cell(1, 1, self.sheet.year_heading, furniture, to_column=INITIATIVE)
        if self.sheet.provisional:
            self._cell(1, ACTIVITY, self._provisional(), replace(furniture, size=10), to_column=ACTIVITY + VALUE)
        if self.sheet.label:
            self._cell(1, REASON, self.sheet.label, replace(furniture, align="right"), to_column=LAST)
        self.heights[1] = 18.0
        self.row = 2

    def _provisional(self) -> str:
        day = self.sheet.printed_on
        return f"暫定（{day.year}年{day.month}月{day.day}日時点）"

    def _vision(self, vision: PrintedVision) -> None:
        self._cell(self.row, 1, vision.band, BAND, to_column=LAST)
        self._fits(vision.band, self.row, 1, to_column=LAST)
        self.row += 1
        self._cell(self.row, 1, "めざす姿", replace(CELL, bold=True), to_column=INITIATIVE_NUMBER)
        self._cell(self.row, INITIATIVE, vision.statement, CELL, to_column=LAST)
        self._fits(vision.statement, self.row, INITIATIVE, to_column=LAST)
        self.row += 1
        self._table_header(vision)
        for index, initiative in enumerate(vision.initiatives):
            if index:
                self.preferred_breaks.append(self.row)
            self._initiative(initiative)
        for mark, text in self.sheet.footnotes_for(vision.footnotes_used):
            self._text(f"{mark}　{text}", TEXT)
        if vision.has_own_approval:
            self._text(f"{self.sheet.own_approval}　{self.sheet.own_approval_note}", TEXT)

    def _table_header(self, vision: PrintedVision) -> None:
        """The page's <thead>: two rows, the headings that span both merged."""
        top, bottom = self.row, self.row + 1
        pages = vision.pages.replace(" ", "\n", 1)  # 「計画書」 over 「P40～44」, as the seed prints it
        self._cell(top, PAGES, pages, replace(HEADER, size=8), rows=2)
        self._fits(pages, top, PAGES, rows=2, size=8)
        for column, text in (
            (INITIATIVE_NUMBER, "番号"),
            (INITIATIVE, "主な取組み"),
            (GRADE, "評価\n※１"),
            (REASON, "\n".join(("達成状況評価の理由", self.sheet.reason_note)).strip()),
            (DEPARTMENT, "担当\n所管課"),
        ):
            self._cell(top, column, text, HEADER, rows=2)
            self._fits(text, top, column, rows=2)
        for start, title, name in ((ACTIVITY, "取組みの行動量", "行動量"), (OUTCOME, "取組みの成果指標", "成果指標")):
            self._cell(top, start, title, HEADER, to_column=start + VALUE)
            for offset, text in enumerate(("番号", name, "現況値\n（策定時）", "区分", self.sheet.year_heading)):
                self._cell(bottom, start + offset, text, HEADER)
                self._fits(text, bottom, start + offset)
        self.row = bottom + 1

    def _initiative(self, initiative: PrintedInitiative) -> None:
        first = self.row
        for index, slot in enumerate(initiative.slots):
            if index:
                self.allowed_breaks.append(self.row)
            self._slot(slot)
        rows = self.row - first
        self._cell(first, PAGES, None, rows=rows)
        self._cell(first, INITIATIVE_NUMBER, initiative.number, CENTRED, rows=rows)
        title = f"{initiative.title}{''.join(initiative.tags)}"
        self._cell(first, INITIATIVE, self._title_and_text(title, initiative.description), rows=rows)
        self._fits(f"{title}\n{initiative.description}".strip(), first, INITIATIVE, rows=rows)

    def _title_and_text(self, title: str, description: str) -> CellRichText:
        """The initiative's title in bold and its description below it, in one cell."""
        bold, plain = (InlineFont(rFont=FONT_NAME, sz=BODY_SIZE, b=weight) for weight in (True, False))
        blocks = [TextBlock(bold, spreadsheet_safe(_clean(title)))]
        if description:
            blocks.append(TextBlock(plain, "\n" + _clean(description)))
        return CellRichText(*blocks)

    def _slot(self, slot: Slot) -> None:
        """A slot's rows: one per line of its indicators (one when it has none)."""
        rows = max([len(indicator.lines) for indicator in (slot.activity, slot.outcome) if indicator] or [1])
        first = self.row
        for row in range(first, first + rows):
            self.heights[row] = ROW
        self._indicator(slot.activity, ACTIVITY, first, rows)
        self._indicator(slot.outcome, OUTCOME, first, rows)
        self._cell(first, GRADE, slot.grade or None, GRADE_STYLE, rows=rows)
        self._cell(first, REASON, slot.reason or None, rows=rows)
        self._fits(slot.reason, first, REASON, rows=rows)
        self._cell(first, DEPARTMENT, slot.department or None, rows=rows)
        self._fits(slot.department, first, DEPARTMENT, rows=rows)
        self.row = first + rows

    def _indicator(self, indicator: PrintedIndicator | None, start: int, first: int, rows: int) -> None:
        if indicator is None:
            for column in range(start, start + VALUE + 1):
                self._cell(first, column, None, rows=rows)
            return
        baseline = "\n".join(filter(None, (indicator.baseline, indicator.baseline_as_of)))
        self._cell(first, start + NUMBER, indicator.number, CENTRED, rows=rows)
        for offset, text in ((NAME, indicator.full_name), (BASELINE, baseline)):
            self._cell(first, start + offset, text, rows=rows)
            self._fits(text, first, start + offset, rows=rows)
        for index, row in enumerate(range(first, first + rows)):
            line = indicator.lines[index] if index < len(indicator.lines) else None
            notes = indicator.actual_notes if line is not None and line.heading == "実績" else []
            heading = "\n".join([line.heading, *notes]) if line else None
            self._cell(row, start + KIND, heading, replace(CELL, wrap=bool(notes)))
            if notes:
                self._fits(heading, row, start + KIND)
            self._value(row, start + VALUE, line)

    def _value(self, row: int, column: int, line: Line | None) -> None:
        """A line of one figure with a number: a number cell in its format; else the printed text."""
        if line is None:
            self._cell(row, column, None)
            return
        [figure, *others] = line.figures
        if figure.number is not None and not others:
            cell = self._cell(row, column, display.plain_decimal(figure.number), FIGURE)
            cell.number_format = number_format(figure)
            return
        self._cell(row, column, line.text, replace(CELL, align="right" if line.numeric else "left"))
        self._fits(line.text, row, column)

    # Rows and printing -------------------------------------------------------------------------------

    def _rows_and_pages(self) -> None:
        """Every row's height from its texts; a page break before the vision or initiative that would
        not fit on the page (a slot, inside an initiative taller than a page)."""
        fitted = fit_heights(self.heights, self.needs, default=ROW)
        heights = [round(fitted.get(row, ROW), 1) for row in range(1, self.row)]
        for row, height in enumerate(heights, start=1):
            self.ws.row_dimensions[row].height = height
        for row in page_breaks(heights, self.preferred_breaks, self.allowed_breaks, page_height(WIDTHS)):
            self.ws.row_breaks.append(Break(id=row))

    def _page_setup(self) -> None:
        """A4 landscape, one page wide, narrow margins, the print area; the label and 暫定 at the top
        of every page after the first (the first carries them in its cells), n / N at the foot."""
        ws = self.ws
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.25
        ws.page_margins.top = ws.page_margins.bottom = 0.75
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.print_area = f"A1:{get_column_letter(LAST)}{self.row - 1}"
        ws.HeaderFooter.differentFirst = True
        if self.sheet.label:
            ws.oddHeader.right.text = _header_text(self.sheet.label)
            ws.oddHeader.right.font = f"{FONT_NAME},Bold"
        if self.sheet.provisional:
            ws.oddHeader.left.text = _header_text(self._provisional())
            ws.oddHeader.left.font = f"{FONT_NAME},Bold"
        for footer in (ws.oddFooter, ws.firstFooter):
            footer.right.text = "&P / &N"
            footer.right.font = FONT_NAME
