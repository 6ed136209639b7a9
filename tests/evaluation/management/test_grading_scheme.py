"""manage.py grading_scheme: the presets listed; a plan's scheme changed after showing what would change,
its open year regraded on the record, its closed year left as it was; a wrong scheme file refused."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evaluation.domain import scheme_files
from evaluation.domain.enums import ResultStatus
from evaluation.models import Plan, Result
from evaluation.services import years
from evaluation.services.regrading import REGRADE_REASON
from tests.builders import make_graded_result, make_indicator, make_open_year, make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PLAN = object()  # the plan fixture's name, in the parametrised arguments


def run(*args) -> str:
    out = StringIO()
    call_command("grading_scheme", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def story(plan, department, planner):
    """FY2024 closed with an 85 % B; FY2025 open with an 85 % B and a 120 % A."""
    indicator = make_indicator(plan, department=department, name="相談窓口の認知度")
    closed = make_graded_result(indicator, fiscal_year=2024, target=Decimal(100), actual=Decimal(85))
    Result.objects.filter(pk=closed.pk).update(status=ResultStatus.APPROVED)
    make_open_year(plan, 2024)
    years.close_year(plan.evaluation_years.get(fiscal_year=2024), user=planner, reason="締切")
    make_open_year(plan, 2025)
    open_b = make_graded_result(indicator, fiscal_year=2025, target=Decimal(100), actual=Decimal(85))
    other = make_indicator(plan, department=department, name="講演会の参加者数")
    open_a = make_graded_result(other, fiscal_year=2025, target=Decimal(100), actual=Decimal(120))
    return {"closed": closed, "open_b": open_b, "open_a": open_a}


def test_list_shows_every_preset_with_its_rule_and_source():
    out = run("--list")
    for name in scheme_files.preset_names():
        assert f"{name}\t" in out
    assert "Achievement against the target. A: 100 % or more; B: 80 % to under 100 %" in out
    assert "city.fukuoka.lg.jp" in out


def test_a_dry_run_lists_the_changes_and_changes_nothing(plan, story):
    before = list(Result.objects.order_by("pk").values("grade", "version"))
    out = run("--plan", plan.name, "--use", "kanagawa", "--dry-run")
    assert "FY2024 is closed: it keeps its grades." in out or "2024" in out.split("closed")[0]
    assert "2 items of the open years would change" in out
    assert "相談窓口の認知度: B → ×" in out and "講演会の参加者数: A → ○" in out
    assert "Dry run: nothing was changed." in out
    assert list(Result.objects.order_by("pk").values("grade", "version")) == before
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


def test_using_a_preset_regrades_the_open_year_on_the_record_and_keeps_the_closed_one(plan, story, planner):
    out = run("--plan", plan.name, "--use", "kanagawa", "--user", planner.username)
    assert "2 items of its open years regraded" in out
    plan.refresh_from_db()
    assert plan.scheme == scheme_files.preset("kanagawa")
    open_b = Result.objects.get(pk=story["open_b"].pk)
    assert (open_b.grade, open_b.version) == ("×", story["open_b"].version + 1)
    assert open_b.history.first().history_change_reason == REGRADE_REASON
    assert open_b.history.first().history_user == planner
    assert Result.objects.get(pk=story["open_a"].pk).grade == "○"
    assert Result.objects.get(pk=story["closed"].pk).grade == "B"  # closed: its own scheme
    assert plan.scheme_of(2024) == scheme_files.default_scheme()


def test_a_scheme_file_written_by_the_planning_section(plan, story, planner, tmp_path):
    path = tmp_path / "ours.json"
    data = scheme_files.to_data(scheme_files.preset("osaka-library"))
    data.update(key="ours", name="わが市")
    data["rules"][0]["value"] = "130"
    path.write_text(__import__("json").dumps(data, ensure_ascii=False), encoding="utf-8")
    run("--plan", plan.name, "--use", str(path), "--user", planner.username)
    assert Result.objects.get(pk=story["open_a"].pk).grade == "B"  # 120 % is now B: A from 130 %


def test_a_wrong_scheme_file_is_refused_with_every_problem_and_nothing_changes(plan, story, planner, tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text('key = "ours"\nname = "わが市"\n[[labels]]\ncode = "A"\n[[rules]]\nlabel = "B"\nwhen = "x"\n')
    with pytest.raises(CommandError) as refused:
        run("--plan", plan.name, "--use", str(path), "--user", planner.username)
    message = str(refused.value)
    assert "refused (2 problems); nothing was changed" in message
    assert "rules[1].label: 「B」 is not one of the scheme's labels." in message
    assert "rules[1].when: 「x」 is not one of: measure、target、baseline、always." in message
    assert "rules: Some figures would get no grade" not in message  # checked only once the rules are readable
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", PLAN, "--use", "nowhere"], "「nowhere」 is neither a preset"),
        (["--plan", PLAN, "--use", "sano"], "Give --user"),
        (["--plan", PLAN, "--use", "sano", "--user", "nobody"], "There is no account 「nobody」."),
        (["--use", "sano"], "Give --list, or --plan NAME"),
    ],
)
def test_wrong_arguments_are_refused_in_words(plan, args, message):
    with pytest.raises(CommandError, match=message):
        run(*[plan.name if arg == PLAN else arg for arg in args])


def test_someone_outside_the_planning_section_may_not_change_the_scheme(plan, story, staff):
    with pytest.raises(CommandError, match="Only the planning section"):
        run("--plan", plan.name, "--use", "sano", "--user", staff.username)
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_show_prints_the_plans_scheme_as_a_file_that_use_reads_back(fmt, tmp_path, planner):
    plan = make_plan("閾値を変えた計画", threshold_b=Decimal("85.5"))  # Setagaya's, B from 85.5 %
    out = run("--plan", plan.name, "--show", "--format", fmt)
    assert scheme_files.loads(out, fmt) == plan.scheme
    path = tmp_path / f"ours.{fmt}"
    path.write_text(out, encoding="utf-8")
    assert "0 items of the open years would change" in run("--plan", plan.name, "--use", str(path), "--dry-run")


def test_show_writes_toml_by_default_with_its_comments(plan):
    out = run("--plan", plan.name, "--show")
    assert out.startswith(f"# A grading scheme file (TOML, UTF-8) of the plan 「{plan.name}」")
    assert "# rules[2]: A — 100 % or more\n" in out
    assert scheme_files.loads(out, "toml") == plan.scheme
