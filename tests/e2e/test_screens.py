"""The pages people use most, at a phone's width (390 px) and a usual office screen (1366 px), on the
demo plan (load_demo: Setagaya's plan, 134 items): no column narrower than a few characters, no page
wider than the window, each indicator of the entry page a block on a phone, and the review queue's
last columns (達成状況・評価・状態・最終更新) in view without scrolling sideways. Screenshots go to
test-artifacts/screenshots/ for engineers to look at."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from evaluation.management.commands.load_demo import DEMO_PASSWORD
from tests.e2e.browser import log_in

PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1366, "height": 768}
FEW_CHARACTERS = 3  # a cell is at least this many characters of its own font size wide (two for a shorter text)

# Each visible cell matched by `selector`: its text (shortened), width, right edge and font size.
_CELLS = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((cell) => cell.getClientRects().length && getComputedStyle(cell).visibility !== "hidden")
  .map((cell) => {
    const box = cell.getBoundingClientRect();
    return { text: cell.textContent.replace(/\\s+/g, " ").trim().slice(0, 24), width: box.width,
             right: box.right, font: parseFloat(getComputedStyle(cell).fontSize) };
  })"""


@pytest.fixture
def demo(transactional_db, settings):
    """The demo plan and accounts (load_demo runs only with DEBUG on; the pages are then served with it off)."""
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False


def _log_in(page: Page, username: str) -> None:
    log_in(page, username, DEMO_PASSWORD)


def _cells(page: Page, selector: str) -> list[dict]:
    cells = page.evaluate(_CELLS, selector)
    assert cells, f"nothing matches {selector} on {page.url}"
    return cells


def _too_narrow(cells: list[dict]) -> list[dict]:
    return [cell for cell in cells if cell["width"] < min(FEW_CHARACTERS, max(2, len(cell["text"]))) * cell["font"]]


def _assert_no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window: {page.url}"


def test_at_390_px_each_indicator_is_a_block_and_no_column_collapses(page: Page, demo, screenshot):
    page.set_viewport_size(PHONE)
    _log_in(page, "dept01")

    page.goto("/entry/")
    first = page.locator("tbody.entry-item").first
    expect(first).to_be_visible()
    screenshot("entry-390")
    _assert_no_sideways_scrolling(page)
    cells = _cells(page, "tbody.entry-item > tr > th, tbody.entry-item > tr > td:not(:empty)")
    assert not _too_narrow(cells), _too_narrow(cells)
    blocks = page.locator("tbody.entry-item").evaluate_all("(items) => items.map((item) => item.offsetWidth)")
    assert min(blocks) >= 0.8 * PHONE["width"], "each indicator is a block as wide as the phone"
    actual = first.get_by_role("textbox").first
    actual.fill("50")  # usable: the input takes a value where a finger reaches it
    assert actual.bounding_box()["width"] >= 100

    page.goto("/")
    screenshot("home-390")
    _assert_no_sideways_scrolling(page)
    grade_cells = ".grade-table tbody > tr > *, .grade-table tfoot > tr > *, .grade-table thead th:not(.col-label)"
    cells = _cells(page, grade_cells)
    assert not _too_narrow(cells), _too_narrow(cells)
    labels = _cells(page, ".grade-table tbody .row-label")
    assert min(label["width"] for label in labels) >= 0.8 * (PHONE["width"] - 32), "a policy area's name reads across"


def test_at_1366_px_the_review_queue_shows_every_column_without_scrolling_sideways(page: Page, demo, screenshot):
    page.set_viewport_size(OFFICE)
    _log_in(page, "planning")

    page.goto("/review/")
    screenshot("review-1366", full_page=False)
    _assert_no_sideways_scrolling(page)
    scroller = page.locator("#review-table").locator("xpath=..")
    overflow = scroller.evaluate("(box) => [box.scrollWidth, box.clientWidth, box.getBoundingClientRect().right]")
    assert overflow[0] <= overflow[1], f"the queue scrolls sideways: {overflow[0]} px in {overflow[1]} px"
    headers = _cells(page, "#review-table thead th")
    assert not _too_narrow(headers), _too_narrow(headers)
    by_name = {header["text"].rstrip("▲▼ "): header for header in headers}
    for name in ("達成状況", "評価", "状態", "最終更新"):
        assert by_name[name]["right"] <= min(overflow[2], OFFICE["width"]), (name, by_name[name])

    page.goto("/entry/")
    screenshot("entry-1366", full_page=False)
    _assert_no_sideways_scrolling(page)
    columns = _cells(page, ".entry-table thead th")
    assert not _too_narrow(columns), _too_narrow(columns)

    page.goto("/")
    _assert_no_sideways_scrolling(page)
    cells = _cells(page, ".grade-table th, .grade-table td")
    assert not _too_narrow(cells), _too_narrow(cells)


def test_at_390_px_the_years_page_scrolls_its_table_not_the_page(page: Page, demo, screenshot):
    """A table wider than the phone scrolls in its own box; the visually hidden words in its cells (absolutely
    positioned) once widened the whole page to 713 px."""
    page.set_viewport_size(PHONE)
    _log_in(page, "planning")
    page.goto("/years/")
    table = page.locator("table.years-table")
    expect(table).to_be_visible()
    screenshot("years-390")
    _assert_no_sideways_scrolling(page)
    box = page.locator(".table-scroll").first
    scroll_width, client_width = box.evaluate("(box) => [box.scrollWidth, box.clientWidth]")
    assert scroll_width > client_width  # the table is wider than the phone, and scrolls inside its box
