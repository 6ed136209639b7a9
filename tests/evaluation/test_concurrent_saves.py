"""Two people saving the same row at the same instant, each in its own database connection (threads),
on PostgreSQL: exactly one save wins the version, the other is told the row moved (StaleVersion), and
the row holds the winner's figure with one history row of the next version, the winner's."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from evaluation.domain.enums import ActualState
from evaluation.models import Result
from evaluation.services import guards
from evaluation.services.results import ActualInput, Draft, save_drafts
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 12


@pytest.fixture
def row():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL (CI's PostgreSQL run, or DATABASE_URL=postgres://…)")
    plan = make_plan("同時保存")
    make_open_year(plan)
    department = make_department("同時課")
    result = make_result(make_indicator(plan, department=department), target=Decimal(100))
    people = [make_user(name, department=department) for name in ("sato", "suzuki")]
    return result, people


def _race(result_id: int, version: int, value_id: int, people, figures) -> dict:
    barrier, outcomes = threading.Barrier(len(people)), {}

    def save(person, figure):
        try:
            draft = Draft(version, {value_id: ActualInput(ActualState.NUMBER, figure, "")}, "")
            barrier.wait()
            outcomes[person.username] = save_drafts({result_id: draft}, user=person)[result_id]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=pair) for pair in zip(people, figures, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_of_two_saves_from_the_same_version_exactly_one_wins(row):
    result, people = row
    value_id = result.values.get().pk
    for number in range(ROUNDS):
        version = Result.objects.get(pk=result.pk).version
        figures = (Decimal(1000 + number), Decimal(2000 + number))
        outcomes = _race(result.pk, version, value_id, people, figures)

        winners = [name for name, outcome in outcomes.items() if isinstance(outcome, Result)]
        losers = [name for name, outcome in outcomes.items() if isinstance(outcome, guards.StaleVersion)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        stored = Result.objects.get(pk=result.pk)
        won = figures[[person.username for person in people].index(winners[0])]
        assert stored.version == version + 1 and stored.values.get().actual_value == won
        history = stored.history.filter(version=version + 1)
        assert [entry.history_user.username for entry in history] == winners
