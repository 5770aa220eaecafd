"""Writing many rows' changed fields at once: one ``UPDATE … WHERE pk = %s`` executed for every
row (``executemany``), with each value prepared by its field as Django would. Django's
``bulk_update`` builds a ``CASE WHEN`` per field and row, whose cost grows with rows × fields (50 s
for the demo's summaries); this is the plain statement, a few milliseconds per thousand rows."""

from django.db import connection


def update_many(model, objects, field_names) -> None:
    """Save ``field_names`` of ``objects`` (instances of ``model`` with their pk) in one batch."""
    objects = list(objects)
    if not objects:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    pk = meta.pk
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [pk.get_db_prep_save(obj.pk, connection)]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
