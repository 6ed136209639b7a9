from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import LoginView
from config import health
from config.http import page, post_only

urlpatterns = [
    # Answered by config.health.HealthCheckMiddleware before the host and HTTPS checks; named here.
    path("healthz", health.health_check, name="health_check"),
    path("login/", LoginView.as_view(), name="login"),
    # Log out answers a session that has already ended too (no detour through the login page, whose
    # `next` would then GET this POST-only URL); a GET goes home.
    path("logout/", login_not_required(post_only(page("home"))(auth_views.LogoutView.as_view())), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("evaluation.urls")),
    path("", include("jobs.urls")),
]
