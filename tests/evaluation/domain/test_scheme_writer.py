"""A scheme written back as a file (the grading page's download, grading_scheme --show) reads back through
scheme_files to an equal scheme: every preset, a scheme whose figures were edited, exact decimals and
fractions; the TOML carries the comments a planning section needs to edit it."""

import dataclasses
import tomllib
from decimal import Decimal
from fractions import Fraction

import pytest

from evaluation.domain import scheme_files, scheme_writer


@pytest.mark.parametrize("name", scheme_files.preset_names())
@pytest.mark.parametrize("fmt", scheme_writer.FORMATS)
def test_every_preset_reads_back_to_the_same_scheme(name, fmt):
    scheme = scheme_files.preset(name)
    text = scheme_writer.dumps(scheme, fmt)
    assert scheme_files.loads(text, fmt) == scheme


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_scheme_with_edited_figures_reads_back_exactly(lang):
    """Figures no binary float holds (99.95, 0.1), a negative bound, a share of 2/3 and a bound of 5.5."""
    setagaya = scheme_files.setagaya_with(threshold_a=Decimal("99.95"), threshold_b=Decimal("80.1"))
    setagaya = scheme_files.with_thresholds(setagaya, threshold_d=Decimal("-0.5"))
    sano = scheme_files.preset("sano")
    bands = list(sano.rollup.bands)
    bands[1] = dataclasses.replace(bands[1], at_least=Fraction(11, 2))
    sano = dataclasses.replace(sano, rollup=dataclasses.replace(sano.rollup, bands=tuple(bands)))
    fukuoka = scheme_files.preset("fukuoka")
    rules = list(fukuoka.rules)
    rules[1] = dataclasses.replace(rules[1], survey_band_points=Decimal("0.1"))
    fukuoka = dataclasses.replace(fukuoka, rules=tuple(rules))
    for scheme in (setagaya, sano, fukuoka):
        text = scheme_writer.dumps(scheme, lang=lang, plan="計画")
        assert scheme_files.loads(text, "toml") == scheme
    assert "value = 99.95\n" in scheme_writer.dumps(setagaya) and "value = -0.5\n" in scheme_writer.dumps(setagaya)
    assert "at_least = 5.5\n" in scheme_writer.dumps(sano)
    assert "survey_band_points = 0.1\n" in scheme_writer.dumps(fukuoka)


def test_numbers_are_toml_numbers_and_a_share_no_decimal_holds_is_a_fraction():
    data = tomllib.loads(scheme_writer.dumps(scheme_files.preset("kanagawa")), parse_float=Decimal)
    assert data["rules"][0]["value"] == 100 and isinstance(data["rules"][0]["value"], int)
    assert [band["at_least"] for band in data["rollup"]["labels"]] == [1, "2/3", Decimal("0.5"), 0]


def test_the_toml_says_what_each_key_and_rule_means_for_the_planning_section():
    text = scheme_writer.dumps(scheme_files.preset("osaka-library"), plan="世田谷区地域保健医療福祉総合計画")
    assert text.startswith("# 評価基準ファイル（TOML、UTF-8）、計画「世田谷区地域保健医療福祉総合計画」の評価基準")
    assert "manage.py grading_scheme --plan 計画名 --use このファイル" in text
    assert "# source: 出典：公表されている評価基準の所在\nsource = " in text
    assert "# choices: 公表文があいまいな点をどう決めたか" in text
    assert '# rules[2]: B — 80％～110％未満\n[[rules]]\nlabel = "B"' in text
    english = scheme_writer.dumps(scheme_files.preset("nagayo"), lang="en")
    assert "# rules[3]: B — improved or unchanged since the baseline (a fall of up to 10 % of the baseline" in english


def test_a_line_break_in_a_name_stays_inside_its_comment():
    scheme = dataclasses.replace(scheme_files.preset("setagaya"), name='ours\nkey = "injected"')
    text = scheme_writer.dumps(scheme, plan="a\rb")
    assert scheme_files.loads(text, "toml") == scheme
    assert tomllib.loads(text)["key"] == "setagaya"


def test_json_keeps_numbers_as_exact_strings():
    text = scheme_writer.dumps(scheme_files.setagaya_with(threshold_a=Decimal("99.95")), scheme_writer.JSON)
    assert '"value": "99.95"' in text
