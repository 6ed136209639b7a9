"""What a browser does with the app's pages, for the load test's simulated people. Pure Python (the
standard library's HTML parser): the browsers run in locust's venv (loadtest/requirements.txt) and
the tests read the real pages with it in the project's (tests/test_loadtest.py). A form is sent as a
browser serialises it (every named input, select and textarea; a checkbox only when ticked; no button
but the one pressed), whatever its fields are called. The entry page is read generically too: a row
is the element whose id is `result-<id>`; its text inputs are what a person types into, its hidden
field ending in `version` the version the page showed, its checkbox ending in `selected` the choice
for a submission; what the page says about a row is what it holds of class `conflict`, `not-taken`
or `field-error`, or a link of the error summary to the row or a field in it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

ROW_ID = re.compile(r"^result-(\d+)$")
CONFLICT, NOT_TAKEN, FIELD_ERROR = "conflict", "not_taken", "field_error"
VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"])


class Element:
    """A node of the page: its tag, attributes, children and text, and the little a browser asks of it."""

    def __init__(self, tag: str, attrib: dict[str, str]):
        self.tag, self.attrib = tag, attrib
        self.children: list[Element | str] = []

    def get(self, name: str, default=None):
        return self.attrib.get(name, default)

    @property
    def name(self) -> str | None:
        return self.attrib.get("name")

    @property
    def text(self) -> str:
        """The text directly inside (a textarea's value as written)."""
        return "".join(child for child in self.children if isinstance(child, str))

    def text_content(self) -> str:
        return "".join(child if isinstance(child, str) else child.text_content() for child in self.children)

    def iter(self, *tags: str):
        """This element and every element inside it, in document order (only `tags`, if given)."""
        stack = [self]
        while stack:
            element = stack.pop()
            if not tags or element.tag in tags:
                yield element
            stack.extend(reversed([child for child in element.children if isinstance(child, Element)]))

    def find(self, tag: str):
        return next(self.iter(tag), None)

    def find_class(self, name: str) -> list[Element]:
        return [element for element in self.iter() if name in (element.get("class") or "").split()]

    @property
    def forms(self) -> list[Element]:
        return list(self.iter("form"))

    @property
    def inputs(self) -> list[Element]:
        return list(self.iter("input", "select", "textarea"))


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value if value is not None else "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):  # close up to the matching element, if open
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(content: bytes | str) -> Element:
    builder = _TreeBuilder()
    builder.feed(content.decode("utf-8", "replace") if isinstance(content, bytes) else content)
    builder.close()
    return builder.root


def has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def form_values(form) -> list[tuple[str, str]]:
    """The form's fields as a browser submits them, in document order: an input's value ("" when it
    has none), a checkbox or radio only when ticked ("on" without a value), a select's chosen option
    (else its first), a textarea's text without the newline right after <textarea> (a browser's HTML
    parser drops it; Django writes one); nothing disabled, no button."""
    values = []
    for element in form.inputs:
        name = element.name
        if not name or "disabled" in element.attrib:
            continue
        if element.tag == "textarea":
            text = element.text or ""
            values.append((name, text[1:] if text.startswith("\n") else text))
        elif element.tag == "select":
            options = [option for option in element.iter("option") if "disabled" not in option.attrib]
            chosen = [option for option in options if "selected" in option.attrib] or options[:1]
            values += [(name, option.get("value", option.text_content())) for option in chosen[:1]]
        else:
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "image", "reset", "file", "button"):
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in element.attrib:
                    values.append((name, element.get("value", "on")))
                continue
            values.append((name, element.get("value", "")))
    return values


def form_with_button(document, value: str):
    """The POST form that holds a submit button of this value (the entry page's 一時保存 is `save`)."""
    for form in document.forms:
        if (form.get("method") or "").lower() != "post":
            continue
        for button in form.iter("button", "input"):
            if (button.get("type") or "submit").lower() == "submit" and button.get("value") == value:
                return form
    return None


def entry_form(document):
    """The entry page's form: the POST form that holds the rows (`result-<id>`), with or without its
    buttons. A page whose rows are all submitted or approved draws the form without them: its rows,
    and what the page says on each, are still there to read."""
    for form in document.forms:
        if (form.get("method") or "").lower() == "post" and any(
            ROW_ID.match(element.get("id") or "") for element in form.iter()
        ):
            return form
    return None


def page_rows(document) -> dict[int, Row]:
    """The rows of the entry page (none when it has no entry form): entry_rows of entry_form."""
    form = entry_form(document)
    return entry_rows(document, form) if form is not None else {}


def form_posting_to(document, fragment: str):
    for form in document.forms:
        if fragment in (form.get("action") or ""):
            return form
    return None


def submit_button(form, value: str) -> tuple[str, str] | None:
    for button in form.iter("button", "input"):
        if button.get("value") == value and button.get("name"):
            return button.get("name"), value
    return None


def button_named(form, name: str) -> tuple[str, str] | None:
    for button in form.iter("button", "input"):
        if button.get("name") == name:
            return name, button.get("value") or ""
    return None


def hx_headers(document) -> dict[str, str]:
    """The headers htmx sends on every request of the page (<body hx-headers>: the CSRF token)."""
    body = document.find("body")
    raw = body.get("hx-headers") if body is not None else None
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def assets(document, base_url: str) -> list[str]:
    """The stylesheets and scripts of the page, as a browser fetches them once."""
    found = [link.get("href") for link in document.iter("link") if "stylesheet" in (link.get("rel") or "")]
    found += [script.get("src") for script in document.iter("script") if script.get("src")]
    return [urljoin(base_url, path) for path in found if path]


@dataclass
class Row:
    """One indicator's row of the entry page, as the page holds it now."""

    result_id: int
    text_fields: dict[str, str]  # name → what the input shows (text inputs the person types into)
    version: str | None
    version_name: str | None
    select_name: str | None
    ticked: bool  # a checkbox of the row other than the selection is ticked (集計中)
    preview_url: str | None = None
    preview_params: list[str] = field(default_factory=list)
    says: str | None = None  # CONFLICT, NOT_TAKEN, FIELD_ERROR, or None

    @property
    def editable(self) -> bool:
        return bool(self.text_fields)


def _says(element, summary_targets: set[str]) -> str | None:
    """What the page says about this row: a conflict, a refusal with what was typed, a field's error."""
    classes = {name for node in element.iter() for name in (node.get("class") or "").split()}
    if "not-taken" in classes:
        return NOT_TAKEN
    if "conflict" in classes:
        return CONFLICT
    ids = {node.get("id") for node in element.iter() if node.get("id")}
    if "field-error" in classes or ids & summary_targets:
        return FIELD_ERROR
    return None


def summary_targets(document) -> set[str]:
    """The ids the page's error summary links to (#id)."""
    targets = set()
    for summary in document.find_class("error-summary"):
        for link in summary.iter("a"):
            href = link.get("href") or ""
            if href.startswith("#"):
                targets.add(href[1:])
    return targets


def entry_rows(document, form) -> dict[int, Row]:
    """The rows of the entry form, by result id. A row's following siblings up to the next row (its
    note and reason rows) belong to it: the page draws a row as a <tbody>, and so they are in it."""
    targets = summary_targets(document)
    rows: dict[int, Row] = {}
    for element in form.iter():
        match = ROW_ID.match(element.get("id") or "")
        if not match:
            continue
        text_fields, version, version_name, select_name, ticked = {}, None, None, None, False
        for node in element.iter("input", "textarea"):
            name, kind = node.get("name"), (node.get("type") or "text").lower()
            if not name or "disabled" in node.attrib:
                continue
            if node.tag == "input" and kind == "text":
                text_fields[name] = node.get("value") or ""
            elif kind == "hidden" and name.endswith("version"):
                version, version_name = node.get("value"), name
            elif kind == "checkbox" and name.endswith("selected"):
                select_name = name
            elif kind == "checkbox" and node.get("checked") is not None:
                ticked = True
        preview = next((node for node in element.iter() if node.get("hx-post")), None)
        rows[int(match.group(1))] = Row(
            result_id=int(match.group(1)),
            text_fields=text_fields,
            version=version,
            version_name=version_name,
            select_name=select_name,
            ticked=ticked,
            preview_url=preview.get("hx-post") if preview is not None else None,
            preview_params=[name for name in (preview.get("hx-params") or "").split(",") if name]
            if preview is not None
            else [],
            says=_says(element, targets),
        )
    return rows


def with_changes(values: list[tuple[str, str]], changes: dict[str, str]) -> list[tuple[str, str]]:
    """The form's values with some fields typed into (each name once, as the page has them)."""
    return [(name, changes.get(name, value)) for name, value in values]


def messages(document) -> list[tuple[str, str]]:
    """The page's flash messages: (level, text), level from the class message--<level>."""
    found = []
    for element in document.find_class("message"):
        level = next(
            (name.split("--", 1)[1] for name in (element.get("class") or "").split() if name.startswith("message--")),
            "",
        )
        found.append((level, element.text_content().strip()))
    return found
