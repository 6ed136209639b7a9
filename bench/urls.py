"""The project's URLs plus the trivial view every measurement is set against (a logged-in request
through the whole middleware stack (session, user, messages, history) that renders nothing), and the
entry page's floor (bench/floor.py)."""

from django.http import HttpResponse
from django.urls import path

from bench.floor import entry_floor
from config.urls import urlpatterns as project_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/trivial/", trivial, name="bench_trivial"),
    path("__bench__/entry-floor/<int:department_id>/<int:fiscal_year>/", entry_floor, name="bench_entry_floor"),
    *project_urlpatterns,
]
