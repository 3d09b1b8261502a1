"""Full-text search indexes (PostgreSQL only; SQLite searches with a plain match).

The expressions must stay identical to notes/search.py's ENTRY_DOC and RESOURCE_DOC, or
PostgreSQL will not use them. They live here, beside the members' search, because the
catalogue models do not search.
"""

from django.db import migrations

ENTRY_INDEX = (
    "CREATE INDEX IF NOT EXISTS notes_search_entry_idx ON curricula_entry USING gin "
    "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(alias, '') "
    "|| ' ' || coalesce(why, '')))"
)
RESOURCE_INDEX = (
    "CREATE INDEX IF NOT EXISTS notes_search_resource_idx ON curricula_resource USING gin "
    "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(abstract, '') "
    "|| ' ' || coalesce(authors::text, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ENTRY_INDEX)
        schema_editor.execute(RESOURCE_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS notes_search_entry_idx")
        schema_editor.execute("DROP INDEX IF EXISTS notes_search_resource_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_initial"),
        ("curricula", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
