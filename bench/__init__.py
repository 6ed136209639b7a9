"""The benchmark of issue 11 (`make bench`): synthetic plans shaped like the seed and scaled (plan.py),
built on PostgreSQL with results in a realistic mix of statuses (builders.py, reused by the load test),
the pages and commands measured through the Django test client (scenarios.py, measure.py), the
plan import set against a raw bulk_create (baseline.py), and the table written to BENCHMARKS.md
(report.py). The runner is `python -m bench` (runner.py); bench/run.sh gives it a PostgreSQL."""
