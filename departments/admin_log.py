"""What a deletion in the admin leaves in Django's admin log (LogEntry): departments.admin writes it
before the object goes, the audit trail (evaluation.queries.audit_events) reads it."""

import json

from django.core.serializers.json import DjangoJSONEncoder

# The key of a deletion's content in LogEntry.change_message, a JSON object (Django's own change
# messages are JSON lists, so the admin's history pages show ours as plain text).
DELETED_CONTENT_KEY = "deleted"


def deleted_content(obj) -> str:
    """What an object held when it was deleted: {"deleted": {field name: value}}, a related object by
    its name (the audit trail labels the fields in the reader's language)."""
    content = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.primary_key:
            continue
        if model_field.is_relation:
            related = getattr(obj, model_field.name)
            content[model_field.name] = None if related is None else str(related)
        else:
            content[model_field.name] = model_field.value_from_object(obj)
    return json.dumps({DELETED_CONTENT_KEY: content}, cls=DjangoJSONEncoder, ensure_ascii=False)


def read_deleted_content(change_message: str) -> dict:
    """The {field name: value} a deletion's log entry holds ({} for one logged without it)."""
    try:
        content = json.loads(change_message or "{}")
    except ValueError:
        return {}
    return content.get(DELETED_CONTENT_KEY, {}) if isinstance(content, dict) else {}
