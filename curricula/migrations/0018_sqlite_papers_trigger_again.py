"""SQLite only: the trigger that raises a curriculum's content_version when one of its papers
changes (0016), made again.

On SQLite, Django adds a column (0017's Resource.page_description) by building the table anew
and dropping the old one, and the old one's triggers go with it: since 0017, on SQLite (`make
run`'s database), a paper's link found broken or its title corrected left the curriculum page
showing what it had cached. PostgreSQL adds columns in place and keeps its trigger, so nothing
is done there. tests/readlist/test_triggers.py checks that every trigger the migrations make is
still there after all of them.
"""

from django.db import migrations

SQLITE_TRIGGER = """CREATE TRIGGER curricula_papers_changed AFTER UPDATE ON curricula_resource
    WHEN OLD.url IS NOT NEW.url OR OLD.kind IS NOT NEW.kind OR OLD.title IS NOT NEW.title
      OR OLD.authors IS NOT NEW.authors OR OLD.published IS NOT NEW.published
      OR OLD.health IS NOT NEW.health OR OLD.verification IS NOT NEW.verification BEGIN
      UPDATE curricula_curriculum SET content_version = content_version + 1
      WHERE id IN (SELECT curriculum_id FROM curricula_entry WHERE resource_id = NEW.id);
    END"""


def make_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS curricula_papers_changed")
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("curricula", "0017_resource_page_description")]

    # Backwards there is nothing to undo: 0016's reverse drops the trigger.
    operations = [migrations.RunPython(make_again, migrations.RunPython.noop)]
