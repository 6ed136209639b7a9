"""The upload handler that stores no file past the largest cap (evaluation/uploads.py)."""

from django.test import override_settings

from evaluation.uploads import OversizedUpload, UploadSizeCap

CAPS = {"entry_sheet": {"max_bytes": 100}, "plan_workbook": {"max_bytes": 150}}


def _send(handler: UploadSizeCap, chunks: list[bytes]):
    handler.new_file("import_file", "plan.csv", "text/csv", sum(map(len, chunks)))
    passed_on = [handler.receive_data_chunk(chunk, 0) for chunk in chunks]
    return passed_on, handler.file_complete(sum(map(len, chunks)))


@override_settings(MEZASU_FILE_LIMITS=CAPS)
def test_a_file_up_to_the_largest_cap_is_passed_on_whole():
    passed_on, file = _send(UploadSizeCap(), [b"x" * 100, b"y" * 50])

    assert passed_on == [b"x" * 100, b"y" * 50]
    assert file is None  # the next handler (in memory or on disk) gives the file


@override_settings(MEZASU_FILE_LIMITS=CAPS)
def test_a_larger_file_is_dropped_past_the_cap_and_arrives_with_its_size_only():
    passed_on, file = _send(UploadSizeCap(), [b"x" * 100, b"y" * 50, b"z" * 1_000_000])

    assert passed_on == [b"x" * 100, b"y" * 50, None]
    assert isinstance(file, OversizedUpload)
    assert (file.name, file.size, file.read()) == ("plan.csv", 1_000_150, b"")
