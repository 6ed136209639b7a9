"""Every history-keeping model serves `Model.history` from a manager class built once, and a save still
writes its history row through it."""

from __future__ import annotations

from django.apps import apps

from config.history import CachedHistoryDescriptor
from departments.models import Department


def _history_models():
    return [model for model in apps.get_models() if hasattr(model._meta, "simple_history_manager_attribute")]


def test_every_history_keeping_model_uses_the_cached_descriptor():
    models = _history_models()
    assert {model.__name__ for model in models} >= {"Result", "ResultValue", "Indicator", "Department", "User"}
    for model in models:
        descriptor = model.__dict__[model._meta.simple_history_manager_attribute]
        assert type(descriptor) is CachedHistoryDescriptor, model


def test_the_manager_class_is_built_once_and_each_access_knows_its_instance(db):
    department = Department.objects.create(name="企画課")
    assert type(Department.history) is type(Department.history)
    assert Department.history.instance is None
    assert department.history.instance == department
    assert list(department.history.values_list("name", "history_type")) == [("企画課", "+")]
    department.name = "企画政策課"
    department.save()
    assert [row.name for row in department.history.order_by("history_date", "history_id")] == ["企画課", "企画政策課"]
    assert department.history.first().prev_record.name == "企画課"  # the library's own queryset methods
