"""A scheme file a planning section writes: read from TOML or JSON as exact decimals, and refused with
every problem and where it is when it is incomplete or contradictory. No database."""

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.domain import scheme_files
from evaluation.domain.grading import HIGHER

GOOD = """
key = "our-city"
name = "わが市"
measure = "ratio"
decimals = 2

[[labels]]
code = "◎"
meaning = "達成"

[[labels]]
code = "△"
reason = true

[[rules]]
label = "◎"
when = "measure"
op = ">="
value = 99.5

[[rules]]
label = "△"
when = "always"
"""


def problems(text: str, fmt: str = "toml") -> list[tuple[str, str]]:
    with pytest.raises(scheme_files.SchemeInvalid) as refused:
        scheme_files.loads(text, fmt)
    return [(problem.where, problem.code) for problem in refused.value.problems]


def test_a_good_file_is_read_with_exact_decimals():
    scheme = scheme_files.loads(GOOD, "toml")
    assert scheme.rules[0].value == Decimal("99.5") and isinstance(scheme.rules[0].value, Decimal)
    assert scheme.grade_measure(HIGHER, Decimal(3), Decimal("2.985")).grade == "◎"  # 99.50 %
    assert scheme.grade_measure(HIGHER, Decimal(3), Decimal("2.984")).grade == "△"  # 99.47 %
    assert scheme.reason_required("△") and not scheme.reason_required("◎")


def test_the_same_scheme_in_json_reads_the_same():
    data = scheme_files.to_data(scheme_files.loads(GOOD, "toml"))
    assert scheme_files.loads(json.dumps(data, ensure_ascii=False), "json") == scheme_files.loads(GOOD, "toml")
    data["rules"][0]["value"] = 99.5  # a JSON float is read as the exact decimal written, never a float
    assert scheme_files.loads(json.dumps(data), "json").rules[0].value == Decimal("99.5")


def test_every_problem_is_listed_at_once_with_where_it_is():
    text = (
        GOOD.replace('code = "△"', 'code = "◎"')
        .replace("value = 99.5", 'value = "abc"')
        .replace('measure = "ratio"', 'measure = "ratio"\ncolour = "red"')
    )
    assert problems(text) == [
        ("colour", "unknown_key"),
        ("labels[2].code", "duplicate"),
        ("rules[1].value", "not_a_number"),
        ("rules[2].label", "unknown_label"),  # △ is gone: it became a second ◎
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a label no rule can give, because an earlier rule holds for all its figures
        (
            '[[rules]]\nlabel = "◎"\nwhen = "measure"\nop = ">="\nvalue = 80\n'
            '[[rules]]\nlabel = "△"\nwhen = "measure"\nop = ">="\nvalue = 90\n',
            [("rules[2]", "unreachable"), ("rules", "incomplete")],
        ),
        # figures left without a grade: ≥ 80 and < 50 leave 50 to 80
        (
            '[[rules]]\nlabel = "◎"\nwhen = "measure"\nop = ">="\nvalue = 80\n'
            '[[rules]]\nlabel = "△"\nwhen = "measure"\nop = "<"\nvalue = 50\n',
            [("rules", "incomplete")],
        ),
        # a rule after 'always' never holds
        (
            '[[rules]]\nlabel = "◎"\nwhen = "always"\n[[rules]]\nlabel = "△"\nwhen = "target"\nop = ">="\n',
            [("rules[2]", "unreachable")],
        ),
        # a rule giving an unknown label, and a key that means nothing for its kind
        (
            '[[rules]]\nlabel = "S"\nwhen = "target"\nop = ">="\nvalue = 3\n[[rules]]\nlabel = "△"\nwhen = "always"\n',
            [("rules[1].label", "unknown_label"), ("rules[1].value", "key_not_for_rule")],
        ),
    ],
)
def test_contradictory_or_incomplete_rules_are_refused(change, expected):
    head = GOOD.split("[[rules]]")[0]
    assert problems(head + change) == expected


def test_a_scheme_without_labels_rules_key_or_name_is_refused():
    assert problems("") == [("labels", "missing"), ("rules", "missing"), ("key", "missing"), ("name", "missing")]


def test_states_are_checked():
    text = GOOD + '[[states]]\ncode = "number"\nname = "数"\n[[states]]\ncode = "stopped"\nname = "中止"\nlabel = "Y"\n'
    assert problems(text) == [("states[1].code", "bad_state_code"), ("states[2].label", "unknown_label")]


def test_a_rule_giving_a_states_label_is_refused():
    text = GOOD.replace('[[labels]]\ncode = "△"', '[[labels]]\ncode = "Y"\n[[labels]]\ncode = "△"')
    text += '[[states]]\ncode = "stopped"\nname = "中止"\nlabel = "Y"\n'
    text = text.replace('label = "◎"\nwhen = "measure"', 'label = "Y"\nwhen = "measure"')
    assert ("rules[1].label", "state_label_in_rule") in problems(text)


def test_a_rule_on_the_measure_needs_a_measure():
    assert problems(GOOD.replace('measure = "ratio"', 'measure = "none"')) == [
        ("rules[1].when", "measure_rule_without_measure")
    ]


@pytest.mark.parametrize(
    ("rollup", "expected"),
    [
        ('[rollup]\nkind = "share"\n', [("rollup.met", "missing"), ("labels", "missing")]),
        (
            '[rollup]\nkind = "share"\nmet = ["◎"]\n[[rollup.labels]]\ncode = "順調"\nat_least = "1/2"\n'
            '[[rollup.labels]]\ncode = "遅れ"\nat_least = "2/3"\n',
            [("rollup.labels[2].at_least", "bands_not_descending"), ("rollup.labels[2].at_least", "bands_incomplete")],
        ),
        (
            '[rollup]\nkind = "points"\n[[rollup.labels]]\ncode = "A"\nat_least = 0\n',
            [("labels[1].points", "missing_points"), ("labels[2].points", "missing_points")],
        ),
        ('[rollup]\nkind = "best"\n', [("rollup.kind", "bad_choice")]),
    ],
)
def test_roll_ups_are_checked(rollup, expected):
    assert problems(GOOD + rollup) == expected


def test_a_file_that_is_not_toml_or_too_large_is_refused():
    assert problems("key = ", "toml")[0] == ("", "unreadable")
    assert problems("{", "json")[0] == ("", "unreadable")
    assert problems("#" * (scheme_files.MAX_FILE_BYTES + 1)) == [("", "file_too_large")]


class _AnyParams(dict):
    def __missing__(self, key):
        return "x"


def test_every_problem_the_reader_can_find_has_a_sentence_in_each_language():
    from django.utils import translation

    from evaluation.domain.messages import describe_problem

    source = Path(scheme_files.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'\.add\((?:_at\([^)]*\)|f?"[^"]*"|\w+),\s*"([a-z_]+)"', source))
    codes |= set(re.findall(r'Problem\("[^"]*", "([a-z_]+)"', source))
    assert {"unknown_key", "unreachable", "incomplete", "bands_incomplete", "file_too_large"} <= codes
    for language in ("ja", "en"):
        with translation.override(language):
            for code in codes:
                sentence = describe_problem(scheme_files.Problem("rules[1]", code, _AnyParams()))
                assert sentence.startswith("rules[1]: ") and len(sentence) > 15
    with translation.override("en"):
        sentence = describe_problem(scheme_files.Problem("rules[1].value", "not_a_number", {"value": "abc"}))
    assert sentence == "rules[1].value: 「abc」 is not a number."


def test_changed_thresholds_write_the_meanings_that_name_them_again():
    """The meanings under the legend and the grade filter («A 目標を達成（100％以上）») follow the thresholds
    the planning section sets; a meaning it wrote in its own words is kept."""
    scheme = scheme_files.with_thresholds(
        scheme_files.default_scheme(), threshold_a=Decimal("95"), threshold_b=Decimal("75.5")
    )
    meanings = {label.code: (label.meaning, label.meaning_en) for label in scheme.labels}
    assert meanings == {
        "A": ("目標を達成（95％以上）", "Target reached (95 % or more)"),
        "B": ("75.5％以上95％未満", "75.5 % to under 95 %"),
        "C": ("75.5％未満", "Under 75.5 %"),
        "D": ("0％以下", "0 % or less"),
    }
    own = dataclasses.replace(
        scheme,
        labels=tuple(
            dataclasses.replace(label, meaning="順調") if label.code == "A" else label for label in scheme.labels
        ),
    )
    again = scheme_files.with_thresholds(own, threshold_a=Decimal("100"))
    assert [label.meaning for label in again.labels] == ["順調", "75.5％以上100％未満", "75.5％未満", "0％以下"]
