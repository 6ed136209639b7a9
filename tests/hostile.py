"""Tools of the hostile-input walk (tests/test_hostile_input.py): the hostile values, the forms and
links a page offers, the parameters a view reads, and what the database holds.

- `page_forms(html, path)`: every <form> of a page with its fields as the browser would send them
  (text, hidden, select, textarea, checked boxes, the first submit button), and the action it posts to.
- `link_parameters(html, path)`: the query parameters of the page's links back to the same path
  (filters, sorting, paging).
- `ReadParameters`: the names a view asked of request.GET and request.POST (get, [], getlist, in),
  so that parameters read without a form (?plan=, next, confirmed, version-<pk>) are sent too.
- `stored_problems()`: what the database holds that it should never hold: a text with a control
  character, a figure larger or finer than its column (SQLite keeps those silently).
- `fingerprint()`: the whole content of the project's tables, to tell that a refusal changed nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.apps import apps
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connection, models
from django.http import QueryDict

from config.text_input import control_characters

# Values a careless or hostile person sends in place of what a page expects.
HOSTILE_VALUES = (
    "9" * 15,  # an actual of 15 digits: more than a stored figure holds
    "1" * 30,  # 30 digits: more than Python's decimal context
    "-" + "9" * 20,
    "0." + "1" * 12,  # more decimals than stored
    "1e400",
    "NaN",
    "\x00",
    "a\x00b",
    "\x01\x1b\x7f\u0085",
    "²",
    "１２",
    "٣",
    "2147483648",  # one over PostgreSQL's integer
    "9" * 30,
    "-1",
    "x" * 100_000,  # very long text
    "[]",
)
LIST = ["1", "\x00"]  # a list where one value is expected
# Fewer, for the roles that get every field at once (the first role got each value in each field).
HOSTILE_SAMPLE = ("9" * 15, "1" * 30, "a\x00b", "\x01\x1b\x7f\u0085", "１２", "²", "-1", "x" * 100_000)
# The admin's: its model forms are Django's, so fewer, each kind of trouble once.
ADMIN_VALUES = ("1" * 30, "-1", "a\x00b", "\x01\x1b\x7f\u0085", "²", "x" * 100_000, LIST)
# Values that a text must never be stored with.
REFUSED_IN_TEXT = ("\x00", "a\x00b", "\x01\x1b\x7f\u0085")


@dataclass
class PageForm:
    method: str
    action: str  # the path (with its query) the form posts to
    enctype: str = "application/x-www-form-urlencoded"
    fields: list[tuple[str, str]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # name → input type, select, textarea

    def data(self) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value)
        return data


class _FormParser(HTMLParser):
    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._form: PageForm | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, all options
        self._textarea: tuple[str, list[str]] | None = None
        self._submitted = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "form":
            action = urljoin(self.path, attributes.get("action") or self.path)
            self._form = PageForm((attributes.get("method") or "get").lower(), action)
            self._form.enctype = attributes.get("enctype") or self._form.enctype
            self._submitted = False
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            self._input(name, attributes)
        elif tag == "button" and name and attributes.get("type", "submit") == "submit":
            self._submit(name, attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._select[2].append(value)
            if "selected" in attributes:
                self._select[1].append(value)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def _input(self, name: str, attributes: dict) -> None:
        kind = (attributes.get("type") or "text").lower()
        self._form.kinds[name] = kind
        if kind in ("checkbox", "radio"):
            # Ticked as rendered; a selection's rows (name "selected") ticked too, or the form acts on nothing.
            if "checked" in attributes or name == "selected":
                self._form.fields.append((name, attributes.get("value", "on")))
        elif kind == "submit":
            self._submit(name, attributes.get("value", ""))
        elif kind != "file":
            self._form.fields.append((name, attributes.get("value", "")))

    def _submit(self, name: str, value: str) -> None:
        self._form.kinds[name] = "submit"
        if not self._submitted:  # the first button: what pressing Enter sends
            self._form.fields.append((name, value))
            self._submitted = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            name, selected, options = self._select
            self._form.kinds[name] = "select"
            chosen = selected or options[:1]
            self._form.fields += [(name, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.kinds[name] = "textarea"
            self._form.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def page_forms(html: str, path: str) -> list[PageForm]:
    parser = _FormParser(path)
    parser.feed(html)
    return parser.forms


def page_links(html: str, path: str) -> list[str]:
    """The page's links within the site, as paths with their query strings."""
    parser = _FormParser(path)
    parser.feed(html)
    links = [urlsplit(urljoin(path, href)) for href in parser.links]
    return [f"{url.path}?{url.query}" if url.query else url.path for url in links if not url.netloc]


def link_parameters(html: str, path: str) -> set[str]:
    """The query parameter names of the page's links (and GET forms) to its own path."""
    names = set()
    for link in page_links(html, path):
        url = urlsplit(link)
        if url.path == urlsplit(path).path:
            names |= {name for name, _value in parse_qsl(url.query, keep_blank_values=True)}
    for form in page_forms(html, path):
        if form.method == "get" and urlsplit(form.action).path == urlsplit(path).path:
            names |= set(form.kinds)
    return names


class ReadParameters:
    """Records the names a view reads of any QueryDict while installed (as a context manager)."""

    METHODS = ("__getitem__", "get", "getlist", "__contains__")

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.names: dict[int, set[str]] = {}

    def __enter__(self):
        for method in self.METHODS:
            original = getattr(QueryDict, method)
            self.monkeypatch.setattr(QueryDict, method, self._recording(original))
        return self

    def __exit__(self, *exc):
        self.monkeypatch.undo()

    def _recording(self, original):
        names = self.names

        def recording(query_dict, key, *args, **kwargs):
            names.setdefault(id(query_dict), set()).add(key)
            return original(query_dict, key, *args, **kwargs)

        return recording

    def read_from(self, query_dict) -> set[str]:
        return {name for name in self.names.get(id(query_dict), set()) if isinstance(name, str)}


# The database --------------------------------------------------------------------------------------


def _models():
    """Every model but the cache (no data) and the sessions (their JSON is encoded, and each request
    writes the time of the user's last activity)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.db_table != "django_cache" and not issubclass(model, AbstractBaseSession)
    ]


# What a request writes whatever its outcome, by design: the record of sign-ins and of failed ones.
REQUEST_RECORDS = {"accounts_accountevent", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"}


def _rows(model) -> list[tuple]:
    columns = [f.column for f in model._meta.concrete_fields]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(model._meta.db_table)}")
        return sorted(cursor.fetchall(), key=repr)


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def written_tables(queries) -> set[str]:
    """The tables the captured queries (CaptureQueriesContext's) inserted into, updated or deleted from:
    a table no query wrote holds what it held, so only these are read again after a request."""
    return {match.group(1) for query in queries if (match := _WRITE.match(query["sql"]))}


def fingerprint(tables: set[str] | None = None) -> dict[str, list[tuple]]:
    """The content of every table (or of these) but those REQUEST_RECORDS."""
    return {
        model._meta.db_table: _rows(model)
        for model in _models()
        if model._meta.db_table not in REQUEST_RECORDS and (tables is None or model._meta.db_table in tables)
    }


def changed_tables(before: dict[str, list[tuple]], tables: set[str] | None = None) -> list[str]:
    after = fingerprint(tables)
    return sorted(table for table in after if after[table] != before.get(table))


def stored_problems(tables: set[str] | None = None) -> list[str]:
    """Every stored text with a control character (tab and line breaks allowed) and every stored
    figure its DecimalField cannot hold (in every table, or in these)."""
    problems = []
    for model in _models():
        if tables is not None and model._meta.db_table not in tables:
            continue
        fields = model._meta.concrete_fields
        for row in _rows(model):
            for model_field, value in zip(fields, row, strict=True):
                problem = _problem(model_field, value)
                if problem:
                    problems.append(f"{model._meta.db_table}.{model_field.column}: {problem} ({value!r:.60})")
    return problems


def _problem(model_field, value) -> str:
    if value is None:
        return ""
    if isinstance(model_field, models.JSONField):
        decoded = json.loads(value) if isinstance(value, str) else value
        return "control character" if any(control_characters(text) for text in _strings(decoded)) else ""
    if isinstance(model_field, models.CharField | models.TextField):
        return "control character" if control_characters(str(value)) else ""
    if isinstance(model_field, models.DecimalField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return "not a number"
        limit = Decimal(10) ** (model_field.max_digits - model_field.decimal_places)
        if not number.is_finite() or abs(number) >= limit:
            return "figure larger than its column"
        if number != number.quantize(Decimal(1).scaleb(-model_field.decimal_places), rounding=ROUND_HALF_UP):
            return "figure finer than its column"
    return ""


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
