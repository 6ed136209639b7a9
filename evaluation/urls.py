from django.urls import path

from .views import entry_sheet, home, progress, years

urlpatterns = [
    path("", home.home, name="home"),
    path("entry/<int:department_id>/<int:fiscal_year>/sheet.xlsx", entry_sheet.download, name="entry_sheet_download"),
    path("entry/<int:department_id>/<int:fiscal_year>/upload/", entry_sheet.upload, name="entry_sheet_upload"),
    path("entry/uploads/<uuid:upload_id>/", entry_sheet.preview, name="entry_sheet_preview"),
    path("entry/uploads/<uuid:upload_id>/confirm/", entry_sheet.confirm, name="entry_sheet_confirm"),
    path("years/", years.years, name="years"),
    path("years/open/", years.open_year, name="year_open"),
    path("years/<int:year_id>/deadline/", years.set_deadline, name="year_deadline"),
    path("years/<int:year_id>/close/", years.close_year, name="year_close"),
    path("progress/", progress.progress_board, name="progress_board"),
    path("progress/<int:fiscal_year>/", progress.progress_board, name="progress_board"),
    path("progress/<int:fiscal_year>/remind/", progress.remind, name="progress_remind"),
]
