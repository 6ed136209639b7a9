"""A page's form as a browser sends it, read from the page's HTML: tests that replay what people do
post what the page really holds (its hidden fields included), not a hand-made dictionary."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """The fields of the form whose action is `action`: inputs (a checkbox only when checked; no
    buttons), textareas and selects (the selected option, else the first), one value per name."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self.fields.setdefault(self._select, value)
            if "selected" in attrs:
                self.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self.inside and self._textarea:
            # The HTML parser of a browser drops the newline right after <textarea>.
            text = self.fields[self._textarea] + data
            self.fields[self._textarea] = text[1:] if not self.fields[self._textarea] and text[:1] == "\n" else text


def form_data(html: str, action: str) -> dict[str, str]:
    """What the browser would send from the form posting to `action` (without the pressed button)."""
    reader = _FormReader(action)
    reader.feed(html)
    if not reader.fields:
        raise AssertionError(f"no form posting to {action} on the page")
    return dict(reader.fields)
