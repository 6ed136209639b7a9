"""The pages of one's own account: the login (always a fresh session), the account page (change one's
password, log out one's other sessions), the idle-session extension, and the lockout page."""

from __future__ import annotations

import math

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import activity, services
from accounts.client import client_ip
from config.http import page, post_only
from config.text_input import TextChecks


class SignInForm(TextChecks, AuthenticationForm):
    """Django's sign-in form, where a user name holding a control character or longer than any user
    name is refused at the field before anyone is asked: no sign-in attempt is recorded with it
    (django-axes stored a 100,000-character name in a column of 255, and PostgreSQL failed)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Django sets the field's max_length after making it, so that its length was never checked.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))


class LoginView(auth_views.LoginView):
    """The login page also for a browser that holds a session already (its own person's or another's):
    a sign-in never carries a signed-in session over. Whoever was signed in is signed out (its session
    row deleted, a sign-out event) and the new one starts on a new key; data of a session nobody was signed in to
    (e.g. what a page kept before its session expired) is carried over, on a new key too."""

    redirect_authenticated_user = False
    authentication_form = SignInForm

    def form_valid(self, form):
        if self.request.session.get(SESSION_KEY) is not None:
            logout(self.request)  # the earlier person signs out (recorded), its session ends
        return super().form_valid(form)


def _account_page(request, form, *, status: int = 200):
    others = services.other_session_count(request.user, request.session.session_key)
    return render(request, "accounts/account.html", {"form": form, "other_sessions": others}, status=status)


@require_safe
def account(request):
    """The account page: the password form and the other sessions."""
    return _account_page(request, PasswordChangeForm(request.user))


@post_only(page("account"))
def change_password(request):
    """Change one's own password (the current one, then the new one twice, Django's validators).
    Every session of the account ends but this browser's, which continues on a new session key."""
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    user = services.set_password(
        request.user, form.cleaned_data["new_password1"], acting_user=request.user, ip_address=client_ip(request)
    )
    update_session_auth_hash(request, user)
    messages.success(request, _("Your password has been changed. You were logged out of every other session."))
    return redirect("account")


@post_only(page("account"))
def end_other_sessions(request):
    """Log out of every session of one's account but this one."""
    ended = services.end_other_sessions(
        request.user, current_session_key=request.session.session_key, ip_address=client_ip(request)
    )
    messages.success(
        request,
        ngettext(
            "You were logged out of %(count)d other session.",
            "You were logged out of %(count)d other sessions.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("account")


@require_POST
def extend_session(request):
    """Keep the session alive (the idle-time warning's button): a full idle period from now, whenever the
    session was last renewed (accounts.activity); the answer gives its seconds, for the page's timer."""
    activity.renew(request.session)
    return JsonResponse({"expires_in": activity.expires_in(request.session)})


def locked_out(request, original_response=None, credentials=None):
    """django-axes's answer to a locked sign-in (AXES_LOCKOUT_CALLABLE): a page that says why and until
    when (the last counted failure plus the cool-off), with HTTP 429. It never says whether the user
    name exists."""
    cool_off = settings.AXES_COOLOFF_TIME
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    last_failure = (
        AccessAttempt.objects.filter(username=username, ip_address=getattr(request, "axes_ip_address", None))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    until = (last_failure or timezone.now()) + cool_off if cool_off else None
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "until": until,
        "minutes": math.ceil((until - timezone.now()).total_seconds() / 60) if until else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
