"""What a typed text may hold (config.text_input): no control character, but a tab and line breaks
in a text of several lines; a form's text fields say so at the field, naming it."""

import unicodedata

import pytest
from django import forms
from django.utils import translation

from config.text_input import TextChecks, control_characters, describe_control_characters, printable


@pytest.mark.parametrize(
    ("text", "multiline", "found"),
    [
        ("相談件数 1,816件", False, []),
        ("一行目\r\n二行目\tタブ", True, []),
        ("一行目\n二行目", False, ["\n"]),
        ("a\x00b\x00", True, ["\x00"]),
        ("\x1b[31m\x7f\u0085", True, ["\x1b", "\x7f", "\u0085"]),  # C0, DEL, C1
        ("全角スペース　と ZWJ\u200d", False, []),  # not control characters (Zs, Cf)
    ],
)
def test_control_characters_are_found_each_once(text, multiline, found):
    assert control_characters(text, multiline=multiline) == found


@pytest.mark.parametrize("multiline", [False, True])
def test_every_character_of_unicodes_cc_category_is_found_and_no_other(multiline):
    """The regular expression is checked against Unicode's own table, over every code point."""
    every = "".join(chr(point) for point in range(0x110000) if not 0xD800 <= point <= 0xDFFF)
    expected = [c for c in every if unicodedata.category(c) == "Cc" and not (multiline and c in "\t\n\r")]
    assert control_characters(every, multiline=multiline) == expected


def test_a_refused_value_is_quoted_with_its_control_characters_shown_as_replacement_characters():
    assert printable("一部\x00運用\x1b\r\n\tつづき") == "一部\ufffd運用\ufffd\r\n\tつづき"


def test_the_message_names_the_field_and_the_code_points():
    with translation.override("en"):
        message = describe_control_characters("Reason", ["\x00", "\x1b"])

    assert message == (
        "Reason contains a control character (U+0000, U+001B), which is not accepted: remove it and try again."
    )


class _Form(TextChecks, forms.Form):
    line = forms.CharField(label="件名", required=False)
    text = forms.CharField(label="理由", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added"] = forms.CharField(label="あとから", required=False)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"line": "a\x00b"}, {"line": "件名に使えない制御文字（U+0000）が含まれています。"}),
        ({"text": "a\x07b"}, {"text": "理由に使えない制御文字（U+0007）が含まれています。"}),
        ({"added": "\x1b"}, {"added": "あとからに使えない制御文字（U+001B）が含まれています。"}),
        ({"line": "a\tb"}, {"line": "件名に使えない制御文字（U+0009）が含まれています。"}),
        ({"text": "一行目\r\n\t二行目", "line": "件名"}, {}),
    ],
)
def test_a_forms_text_fields_refuse_control_characters_at_the_field(data, errors):
    form = _Form(data)

    assert form.is_valid() is not errors
    assert {name: messages[0].split("取り除いて")[0] for name, messages in form.errors.items()} == errors


def test_a_nul_gets_the_fields_message_only_not_djangos_too():
    form = _Form({"line": "\x00"})

    form.is_valid()

    assert len(form.errors["line"]) == 1
