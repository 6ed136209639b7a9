"""The one base of the project's refusals: every error a person may be shown carries `message`, a
sentence in the active language (a lazy translation until shown), so a view or a command turns any
of them into a message the same way: `str(error.message)`."""

from __future__ import annotations


class MezasuError(Exception):
    """A refusal with a translated `message` for the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
