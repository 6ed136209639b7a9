"""The report as a PDF, made on the server by WeasyPrint from the report's own HTML
(templates/evaluation/report/document.html and static/css/report.css): A4 landscape, BIZ UDPGothic
embedded and subset (vendored under static/vendor/biz-udpgothic), text selectable, and tagged
(PDF/UA-1) so that a screen reader can read the published report."""

from __future__ import annotations

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


def render_pdf(context: dict) -> bytes:
    """The PDF of the report's context ({"sheet": …, "summary": … or None})."""
    from weasyprint import CSS, HTML  # imported here: loading pango takes a moment, and only this needs it
    from weasyprint.text.fonts import FontConfiguration

    paths = _stylesheet_paths()
    fonts = FontConfiguration()  # without it, @font-face (the vendored face) is ignored
    html = HTML(string=report_html(context), base_url=str(paths[-1].parent))
    stylesheets = [CSS(filename=str(path), font_config=fonts) for path in paths]
    return html.write_pdf(stylesheets=stylesheets, font_config=fonts, pdf_variant="pdf/ua-1")
