"""The plan's grading scheme page in the admin (admin/evaluation/plan/<id>/grading-scheme/, a button on the
plan's page): a preset or a scheme file, the preview of the grades it would change, then applied. It is
the grading page's step (evaluation.views.grading.grading_step: its forms, its preview, services.regrading),
drawn in the admin's look; no second copy of the logic."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from departments.permissions import can_manage_years
from evaluation.views.grading import applied_message, grading_step


class GradingSchemeAdmin:
    """A ModelAdmin mixin of PlanAdmin: the grading scheme view and its URL."""

    def grading_scheme_urls(self) -> list:
        name = f"{self.opts.app_label}_{self.opts.model_name}_grading_scheme"
        return [
            path("<path:object_id>/grading-scheme/", self.admin_site.admin_view(self.grading_scheme_view), name=name)
        ]

    @method_decorator(require_http_methods(["GET", "POST"]))
    def grading_scheme_view(self, request, object_id):
        """The grading page's step for one plan, for whom may change the plan here and manages the years
        (as on the grading page)."""
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            raise Http404("no such plan")
        if not (self.has_change_permission(request, plan) and can_manage_years(request.user)):
            raise PermissionDenied
        step = grading_step(request, plan)
        change_url = reverse("admin:evaluation_plan_change", args=[plan.pk], current_app=self.admin_site.name)
        if step.applied is not None:
            messages.success(request, applied_message(step.applied))
            return redirect(change_url)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            **step.context,
            "title": gettext("Grading scheme: preview and change"),
            "opts": self.model._meta,
            "original": plan,
            "change_url": change_url,
            "post_url": request.path,
        }
        return TemplateResponse(request, "admin/evaluation/plan/grading_scheme.html", context, status=step.status)
