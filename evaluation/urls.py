from django.urls import path

from evaluation.views import audit, entry, entry_sheet, exports, home, progress, report, review, revisions, years

urlpatterns = [
    path("", home.home, name="home"),
    path("entry/", entry.entry, name="entry"),
    path("entry/<int:department_id>/<int:fiscal_year>/", entry.department, name="entry_department"),
    path("entry/<int:department_id>/<int:fiscal_year>/save/", entry.department_save, name="entry_department_save"),
    path("entry/results/<int:result_id>/preview/", entry.preview, name="entry_preview"),
    path("entry/<int:department_id>/<int:fiscal_year>/sheet.xlsx", entry_sheet.download, name="entry_sheet_download"),
    path("entry/<int:department_id>/<int:fiscal_year>/upload/", entry_sheet.upload, name="entry_sheet_upload"),
    path("entry/uploads/<uuid:upload_id>/", entry_sheet.preview, name="entry_sheet_preview"),
    path("entry/uploads/<uuid:upload_id>/confirm/", entry_sheet.confirm, name="entry_sheet_confirm"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:fiscal_year>/", review.review_queue, name="review_queue"),
    path("review/<int:fiscal_year>/selection/", review.review_selection, name="review_selection"),
    path("review/results/<int:result_id>/", review.review_item, name="review_item"),
    path("review/results/<int:result_id>/comment/", review.review_comment, name="review_comment"),
    # Before review_action, whose <str:action> would take "revise".
    path("review/results/<int:result_id>/revise/", revisions.revise_result, name="revise_result"),
    path(
        "review/results/<int:result_id>/<str:action>/",
        review.review_action,
        name="review_action",
    ),
    path("audit/", audit.audit_trail, name="audit_trail"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("exports/<int:fiscal_year>/results.xlsx", exports.results_xlsx, name="results_export_xlsx"),
    path("exports/<int:fiscal_year>/results.csv", exports.results_csv, name="results_export_csv"),
    path("years/", years.years, name="years"),
    path("years/open/", years.open_year, name="year_open"),
    path("years/period/", years.extend_period, name="plan_period"),
    path("years/<int:year_id>/deadline/", years.set_deadline, name="year_deadline"),
    path("years/<int:year_id>/close/", years.close_year, name="year_close"),
    path("years/<int:year_id>/reopen/", years.reopen_year, name="year_reopen"),
    path("progress/", progress.progress_board, name="progress_board"),
    path("progress/<int:fiscal_year>/", progress.progress_board, name="progress_board"),
    path("progress/<int:fiscal_year>/remind/", progress.remind, name="progress_remind"),
    path("report/", report.report, name="report"),
    path("report/report.pdf", report.report_pdf, name="report_pdf"),
    path("report/report.xlsx", report.report_xlsx, name="report_xlsx"),
]
