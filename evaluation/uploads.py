"""The first of Django's upload handlers (settings.FILE_UPLOAD_HANDLERS): an uploaded file is stored
only up to the largest size any kind of file may have (evaluation/workbook/limits.py); the rest of it
is read from the request and dropped, and the file arrives as an OversizedUpload that knows the size
sent, so the one reader refuses it by its size with its usual message. A 1 GB upload then costs
the server neither memory nor disk, only the time to read it (a reverse proxy's own body limit,
docs/uploads.md, spares even that)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from evaluation.workbook.limits import largest_upload_bytes


class OversizedUpload(UploadedFile):
    """A file sent larger than any cap: its name and the size sent, none of its content."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class UploadSizeCap(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.cap = largest_upload_bytes()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return raw_data if self.received <= self.cap else None  # None: the handlers after this one get nothing

    def file_complete(self, file_size):
        if self.received <= self.cap:
            return None  # the next handler (in memory, or a temporary file) gives the file
        return OversizedUpload(self.file_name, self.content_type, self.received, self.charset, self.content_type_extra)
