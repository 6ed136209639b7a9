"""django-simple-history's HistoricalRecords with its manager class built once per model.

The library's descriptor builds the history manager's class anew on every access to `Model.history`
(`HistoryManager.from_queryset(HistoricalQuerySet)`, a new class each time: ≈0.2–0.4 ms), and every
save reads it to write its history row: 2.2 s of a 4 s audit CSV and 4.75 s of a 25.7 s import went
there (issue 11). The history models, tables and rows are the library's, unchanged."""

from __future__ import annotations

from simple_history.manager import HistoricalQuerySet, HistoryDescriptor, HistoryManager
from simple_history.models import HistoricalRecords as LibraryHistoricalRecords


class CachedHistoryDescriptor(HistoryDescriptor):
    """`Model.history` as the library gives it, from a manager class built once."""

    def __init__(self, model, manager=HistoryManager, queryset=HistoricalQuerySet):
        super().__init__(model, manager, queryset)
        self.manager_type = manager.from_queryset(queryset)

    def __get__(self, instance, owner):
        return self.manager_type(self.model, instance)


class HistoricalRecords(LibraryHistoricalRecords):
    """The library's HistoricalRecords; `Model.history` served by a CachedHistoryDescriptor."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:  # set by this finalize (not a parent's, not ours already)
            cached = CachedHistoryDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
            )
            setattr(sender, self.manager_name, cached)
