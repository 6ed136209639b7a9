import os

# Playwright drives a live_server from its own event loop; Django refuses sync ORM calls there without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
