"""What a typed text may hold, for every form of the site and the services behind them: no control
character (NUL and the rest of Unicode's Cc: the C0 set, DEL, the C1 set), but a tab and line breaks
in a text of several lines (a reason, a comment).

PostgreSQL refuses a NUL in a text column; the other control characters are invisible on a page and
break the files the app writes (an XLSX cell cannot hold them). So they are refused where they are
typed, with a message naming the field: `TextChecks` on a form, the services' guard
(evaluation.services.guards.refuse_unstorable) for any other path, and config.input_limits for the
address's query string and the admin's forms.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

# Unicode's Cc category is exactly C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F): one regular
# expression scans a long text in C rather than a character at a time in Python.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_CHARACTER_MESSAGE = _(
    "%(field)s contains a control character (%(characters)s), which is not accepted: remove it and try again."
)


def control_characters(text: str, *, multiline: bool = True) -> list[str]:
    """The control characters of `text` a text may not hold, each once, in order of appearance."""
    return list(dict.fromkeys((_CONTROL_BUT_LINES if multiline else _CONTROL).findall(text)))


def printable(text: str) -> str:
    """`text` with each control character but a tab or a line break shown as �: for quoting a refused
    value in a message or a record (PostgreSQL's JSON cannot hold a NUL either)."""
    return "".join("\ufffd" if char in control_characters(char) else char for char in text)


def describe_control_characters(field: str, characters: list[str]) -> str:
    """「Reason contains a control character (U+0000, U+001B) …」: the field, and characters that cannot be shown."""
    points = ", ".join(f"U+{ord(char):04X}" for char in characters)
    return str(CONTROL_CHARACTER_MESSAGE) % {"field": field, "characters": points}


class RefuseControlCharacters:
    """A text field's validator: no control character (a Textarea keeps its tabs and line breaks)."""

    def __init__(self, label, *, multiline: bool):
        self.label, self.multiline = label, multiline

    def __call__(self, value):
        if found := control_characters(str(value), multiline=self.multiline):
            raise ValidationError(describe_control_characters(str(self.label), found), code="control_character")


class TextChecks:
    """A form mixin: each text field (CharField, those a form adds in __init__ too) refuses a control
    character, NUL included, with a message naming the field, in place of Django's bare NUL check."""

    def full_clean(self):
        for name, form_field in self.fields.items():
            if isinstance(form_field, forms.CharField) and not any(
                isinstance(validator, RefuseControlCharacters) for validator in form_field.validators
            ):
                form_field.validators = [
                    *(v for v in form_field.validators if not isinstance(v, ProhibitNullCharactersValidator)),
                    RefuseControlCharacters(
                        form_field.label or name, multiline=isinstance(form_field.widget, forms.Textarea)
                    ),
                ]
        super().full_clean()
