"""The report as a PDF, made on the server by WeasyPrint from the report's own HTML
(templates/evaluation/report/document.html and static/css/report.css): A4 landscape, BIZ UDPGothic
embedded and subset (vendored under static/vendor/biz-udpgothic), text selectable, and tagged
(PDF/UA-1) so that a screen reader can read the published report."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

# The report's stylesheets, in cascade order: the design tokens and the app's table styles that the
# summary uses, its own stylesheet, then the sheet's (report.css: the face, the pages, the sheet).
STYLESHEETS = (
    "vendor/digital-go-jp-design-tokens/tokens.css",
    "css/app.css",
    "css/report-summary.css",
    "css/report.css",
)


def _stylesheet_paths() -> list[Path]:
    paths = []
    for name in STYLESHEETS:
        found = finders.find(name)
        if found is None:  # pragma: no cover - the files are part of the project
            raise FileNotFoundError(name)
        paths.append(Path(found))
    return paths


def report_html(context: dict) -> str:
    """The standalone HTML the PDF is made from (Japanese: the sheet is the city's document)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("evaluation/report/document.html", context)


def standalone_html(context: dict) -> str:
    """The report as one HTML file that opens anywhere: the stylesheet inlined (the page's own font
    stack then falls back to the machine's Japanese face)."""
    css = "\n".join(path.read_text(encoding="utf-8") for path in _stylesheet_paths())
    return report_html(context).replace("</head>", f"<style>\n{css}\n</style>\n</head>", 1)


# WeasyPrint has no per-page hook, but it logs each step, and each page as it lays it out, at INFO on
# this logger (settings.LOGGING keeps it at INFO with no output of its own).
WEASYPRINT_PROGRESS = "weasyprint.progress"
LAYOUT_PAGE = "Step 5 - Creating layout - Page %d"
CREATING_PDF = "Step 6 - Creating PDF"

# on_progress("page", n) as page n is laid out (the first time), on_progress("pdf", 0) as the file is written.
OnProgress = Callable[[str, int], None]


class _ProgressHandler(logging.Handler):
    """Passes WeasyPrint's progress records of this thread on: another thread may print another report."""

    def __init__(self, on_progress: OnProgress):
        super().__init__(level=logging.INFO)
        self.on_progress = on_progress
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        if record.msg == LAYOUT_PAGE and record.args:
            self.on_progress("page", int(record.args[0]))
        elif record.msg == CREATING_PDF:
            self.on_progress("pdf", 0)


@contextmanager
def _reporting(on_progress: OnProgress | None) -> Iterator[None]:
    if on_progress is None:
        yield
        return
    handler = _ProgressHandler(on_progress)
    logger = logging.getLogger(WEASYPRINT_PROGRESS)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def render_pdf(context: dict, *, on_progress: OnProgress | None = None) -> bytes:
    """The PDF of the report's context ({"sheet": …, "summary": … or None}); `on_progress` hears of
    each page laid out and of the file being written (a background job's progress bar)."""
    from weasyprint import CSS, HTML  # imported here: loading pango takes a moment, and only this needs it
    from weasyprint.text.fonts import FontConfiguration

    paths = _stylesheet_paths()
    fonts = FontConfiguration()  # without it, @font-face (the vendored face) is ignored
    html = HTML(string=report_html(context), base_url=str(paths[-1].parent))
    stylesheets = [CSS(filename=str(path), font_config=fonts) for path in paths]
    with _reporting(on_progress):
        return html.write_pdf(stylesheets=stylesheets, font_config=fonts, pdf_variant="pdf/ua-1")
