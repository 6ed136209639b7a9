import copy
from contextlib import contextmanager

import pytest
from django.db import connections


@contextmanager
def _unreachable_database():
    working = connections["default"]
    settings_dict = copy.deepcopy(working.settings_dict)
    if working.vendor == "sqlite":
        settings_dict["NAME"] = "/no-such-folder/mezasu.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1")
    unreachable = type(working)(settings_dict, alias="default")
    connections["default"] = unreachable
    try:
        yield
    finally:
        unreachable.close()
        connections["default"] = working


@pytest.fixture
def database_down(db):
    """`with database_down(): ...`: inside, the default database stops answering. Its connection is
    swapped for one to a database that cannot be reached (a SQLite file in a folder that does not
    exist, or a PostgreSQL port nobody listens on), so every query fails as when the server is down."""
    return _unreachable_database
