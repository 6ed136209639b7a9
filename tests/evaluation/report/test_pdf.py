"""The report's PDF of the demo plan, read back with poppler (pdftotext, pdfinfo, pdffonts): every
indicator's name, values, grade, reason and department on the pages of its own policy area, the page
furniture on every page, the vendored face embedded, a tagged PDF. One PDF for the module (≈ 4 s)."""

import re
import subprocess
from pathlib import Path

import pytest

from evaluation.models import Plan
from evaluation.report.document import render_report, report_context
from evaluation.workbook.plan_import import import_plan_file
from tests.builders import make_closed_year
from tests.evaluation.workbook.plan_files import DEMO_CSV

pytestmark = pytest.mark.django_db
LABEL = "資料１－３"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo plan imported and its FY2024 report printed: (sheet, pdf path, text of each page).
    The data is rolled back after the module."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            import_plan_file(DEMO_CSV)
            context = report_context(Plan.objects.get(), 2024, label=LABEL)
            sheet = context["sheet"]
            path = Path(tmp_path_factory.mktemp("report")) / "report.pdf"
            path.write_bytes(render_report(context, "pdf"))
            transaction.set_rollback(True)
    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(path)))[1])
    # -raw keeps WeasyPrint's drawing order: a cell's lines stay together.
    texts = [
        _poppler("pdftotext", "-raw", "-f", str(page), "-l", str(page), str(path), "-") for page in range(1, pages + 1)
    ]
    return sheet, path, texts


def _sheet_pages(texts: list[str]) -> tuple[int, list[str]]:
    """(index of the first sheet page, the squeezed text of every page from it): the summary comes first."""
    pages = [_squeezed(text) for text in texts]
    first = next(index for index, page in enumerate(pages) if "取組みの行動量" in page)
    return first, pages[first:]


def test_the_summary_comes_first_then_the_sheets(demo):
    _sheet, _path, texts = demo
    first, _pages = _sheet_pages(texts)
    assert first > 0 and "評価の分布" in _squeezed(texts[0])


def test_every_indicator_prints_on_the_pages_of_its_own_policy_area(demo):
    sheet, _path, texts = demo
    _first, pages = _sheet_pages(texts)
    starts = [
        next(index for index, page in enumerate(pages) if _squeezed(area.heading) in page) for area in sheet.areas
    ]
    assert starts == sorted(starts)
    printed, missing = 0, []
    for number, area in enumerate(sheet.areas):
        last = starts[number + 1] if number + 1 < len(starts) else len(pages) - 1
        text = "".join(pages[starts[number] : last + 1])
        for vision in area.visions:
            for initiative in vision.initiatives:
                for slot in initiative.slots:
                    for indicator in filter(None, (slot.activity, slot.outcome)):
                        printed += 1
                        pieces = [indicator.full_name, indicator.department, indicator.reason, indicator.baseline]
                        pieces += [line.text for line in indicator.lines]
                        missing += [(indicator.code, piece) for piece in pieces if _squeezed(piece) not in text]
    assert printed == 134  # the demo's 65 activity and 69 outcome indicators
    assert missing == []


def test_the_grades_and_reasons_of_the_demo_are_printed(demo):
    sheet, _path, texts = demo
    text = _squeezed("".join(texts))
    outcomes = [
        slot.outcome
        for area in sheet.areas
        for vision in area.visions
        for initiative in vision.initiatives
        for slot in initiative.slots
        if slot.outcome
    ]
    graded = [outcome for outcome in outcomes if outcome.grade in "ABCD"]
    assert len(graded) > 40 and {outcome.grade for outcome in graded} >= {"A", "B", "C"}
    reasons = [outcome.reason for outcome in outcomes if outcome.reason]
    assert reasons and all(_squeezed(reason) in text for reason in reasons)
    assert all(outcome.grade == "ー" or not outcome.reason or outcome.grade in "CD" for outcome in outcomes)


def test_every_page_carries_the_label_the_provisional_mark_the_grading_note_and_its_number(demo):
    _sheet, _path, texts = demo
    for number, text in enumerate(texts, start=1):
        squeezed = _squeezed(text)
        assert LABEL in squeezed
        assert "暫定（" in squeezed
        assert "※１目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下" in squeezed
        assert f"{number}/{len(texts)}" in squeezed


def test_the_revision_footnote_is_on_the_page_of_the_indicator_that_carries_its_mark(demo):
    sheet, _path, texts = demo
    [marked] = [
        slot.outcome
        for area in sheet.areas
        for vision in area.visions
        for initiative in vision.initiatives
        for slot in initiative.slots
        if slot.outcome and slot.outcome.marks == "※2"
    ]
    footnote = "※２策定時の現況値に誤りがあったため、現況値及び目標値を修正した"
    _first, pages = _sheet_pages(texts)
    assert [index for index, page in enumerate(pages) if footnote in page] == [
        index for index, page in enumerate(pages) if _squeezed(marked.full_name) in page
    ]


def test_the_pdf_is_a4_landscape_tagged_with_the_vendored_face_embedded(demo):
    _sheet, path, _texts = demo
    info = _poppler("pdfinfo", str(path))
    assert "Tagged:          yes" in info
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info)
    fonts = _poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all("Mezasu-Report" in line for line in fonts)
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)  # embedded, subset, unicode


@pytest.mark.django_db
def test_a_closed_years_report_is_not_provisional(tmp_path):
    import_plan_file(DEMO_CSV)
    plan = Plan.objects.get()
    make_closed_year(plan)
    context = report_context(plan, 2024)
    sheet = context["sheet"]
    html = render_report(context, "html").decode()
    assert not sheet.provisional and "暫定（" not in html
    assert "推進施策1　地区で相談を受止め、つながり続ける仕組み" in html
