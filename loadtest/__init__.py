"""`make loadtest`: the deadline rush (run.sh): the plan and its people (prepare.py), simulated browsers
driven by locust (locustfile.py, browser.py; their own venv from requirements.txt), then the figures
and the checks against the database (check.py)."""
