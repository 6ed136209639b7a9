from django.urls import path

from accounts import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="account_password"),
    path("account/sessions/end-others/", views.end_other_sessions, name="account_end_other_sessions"),
    path("session/extend/", views.extend_session, name="session_extend"),
]
