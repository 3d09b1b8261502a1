"""A GIN index on the words of each entry's title and alias (PostgreSQL only).

The search ranks entries whose titles have the words before the others (notes/search.py), and
when 50 titles do, it reads only those: "attention scaling" then ranks the 337 entries with
both words in their titles instead of the 4,671 with them anywhere. An expression index rather
than a stored column: nothing reads the titles' vector but this index, so there is no column
to backfill or keep; and built CONCURRENTLY (hence `atomic = False`), so a large catalogue
keeps taking writes while it is built. Partial on active entries, as the search reads only
those. The expression must stay identical to TITLE_WORDS in the search function (0016).
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_search_entry_title ON curricula_entry "
    "USING gin (to_tsvector('english'::regconfig, title || ' ' || alias)) "
    "WHERE retired_in_id IS NULL"
)
DROP = "DROP INDEX CONCURRENTLY IF EXISTS notes_search_entry_title"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("notes", "0014_progress_user_finished")]

    operations = [migrations.RunPython(create, drop)]
