"""The project's URLs plus the trivial view every measurement is set against: a logged-in request
through the whole middleware stack (session, user, messages, history) that renders nothing."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/trivial/", trivial, name="bench_trivial"), *project_urlpatterns]
