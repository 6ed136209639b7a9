from django.urls import path

from .views import entry_sheet, home

urlpatterns = [
    path("", home.home, name="home"),
    path("entry/<int:department_id>/<int:fiscal_year>/sheet.xlsx", entry_sheet.download, name="entry_sheet_download"),
    path("entry/<int:department_id>/<int:fiscal_year>/upload/", entry_sheet.upload, name="entry_sheet_upload"),
    path("entry/uploads/<uuid:upload_id>/", entry_sheet.preview, name="entry_sheet_preview"),
    path("entry/uploads/<uuid:upload_id>/confirm/", entry_sheet.confirm, name="entry_sheet_confirm"),
]
