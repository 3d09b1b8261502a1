"""Curriculum.content_version, raised by triggers on every change of what a list shows.

Pages cache the person-independent part of a curriculum page (its tiers and entry counts, a
tier's page of rows) under (curriculum, content_version), so the version must move on every
write, including those that send no Django signal: the importer's COPY and UPDATE statements,
queryset.update() in the workers, raw SQL. Triggers see them all.

- entries, tiers, topics: any insert, update or delete raises their curriculum's version (on
  PostgreSQL once per statement, through transition tables, so a bulk import of 10,000
  entries raises it once; SQLite has row triggers only);
- papers: a change of what a row shows (url, kind, title, authors, published, health,
  verification) raises the version of every curriculum that lists the paper; bookkeeping
  columns (check claims, timestamps) do not;
- the curriculum row itself: every update raises it by one, whatever was written, so a form
  saved with a stale value can never take it back.
"""

from django.db import migrations, models

PAPER_COLUMNS = ("url", "kind", "title", "authors", "published", "health", "verification")
CHILDREN = ("curricula_entry", "curricula_tier", "curricula_topic")

_BUMP = "UPDATE curricula_curriculum SET content_version = content_version + 1"
_changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in PAPER_COLUMNS)

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION curricula_children_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      IF TG_OP = 'INSERT' THEN
        {_BUMP} WHERE id IN (SELECT curriculum_id FROM new_rows);
      ELSIF TG_OP = 'DELETE' THEN
        {_BUMP} WHERE id IN (SELECT curriculum_id FROM old_rows);
      ELSE
        {_BUMP} WHERE id IN (SELECT curriculum_id FROM new_rows
                             UNION SELECT curriculum_id FROM old_rows);
      END IF;
      RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION curricula_papers_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      {_BUMP} WHERE id IN (
        SELECT e.curriculum_id FROM curricula_entry e
        JOIN new_rows n ON n.id = e.resource_id JOIN old_rows o ON o.id = n.id
        WHERE {_changed});
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION curricula_curriculum_version() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      NEW.content_version := OLD.content_version + 1;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER curricula_curriculum_version BEFORE UPDATE ON curricula_curriculum
    FOR EACH ROW EXECUTE FUNCTION curricula_curriculum_version()""",
    """CREATE TRIGGER curricula_papers_changed AFTER UPDATE ON curricula_resource
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION curricula_papers_changed()""",
]
for _table in CHILDREN:
    POSTGRES += [
        f"""CREATE TRIGGER {_table}_inserted AFTER INSERT ON {_table}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION curricula_children_changed()""",
        f"""CREATE TRIGGER {_table}_updated AFTER UPDATE ON {_table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION curricula_children_changed()""",
        f"""CREATE TRIGGER {_table}_deleted AFTER DELETE ON {_table}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION curricula_children_changed()""",
    ]
POSTGRES_BACK = [
    *(
        f"DROP TRIGGER IF EXISTS {t}_{e} ON {t}"
        for t in CHILDREN
        for e in ("inserted", "updated", "deleted")
    ),
    "DROP TRIGGER IF EXISTS curricula_papers_changed ON curricula_resource",
    "DROP TRIGGER IF EXISTS curricula_curriculum_version ON curricula_curriculum",
    "DROP FUNCTION IF EXISTS curricula_children_changed()",
    "DROP FUNCTION IF EXISTS curricula_papers_changed()",
    "DROP FUNCTION IF EXISTS curricula_curriculum_version()",
]

# SQLite: row triggers. Its BEFORE triggers cannot change NEW, so the curriculum's own rule
# raises the version after the update (recursive triggers are off: it does not fire itself).
_sqlite_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in PAPER_COLUMNS)
SQLITE = [
    f"""CREATE TRIGGER curricula_papers_changed AFTER UPDATE ON curricula_resource
    WHEN {_sqlite_changed} BEGIN
      {_BUMP} WHERE id IN (SELECT curriculum_id FROM curricula_entry WHERE resource_id = NEW.id);
    END""",
    """CREATE TRIGGER curricula_curriculum_version AFTER UPDATE ON curricula_curriculum
    WHEN NEW.content_version <= OLD.content_version BEGIN
      UPDATE curricula_curriculum SET content_version = OLD.content_version + 1
      WHERE id = NEW.id;
    END""",
]
for _table in CHILDREN:
    SQLITE += [
        f"""CREATE TRIGGER {_table}_inserted AFTER INSERT ON {_table} BEGIN
          {_BUMP} WHERE id = NEW.curriculum_id; END""",
        f"""CREATE TRIGGER {_table}_updated AFTER UPDATE ON {_table} BEGIN
          {_BUMP} WHERE id IN (OLD.curriculum_id, NEW.curriculum_id); END""",
        f"""CREATE TRIGGER {_table}_deleted AFTER DELETE ON {_table} BEGIN
          {_BUMP} WHERE id = OLD.curriculum_id; END""",
    ]
SQLITE_BACK = [
    *(
        f"DROP TRIGGER IF EXISTS {t}_{e}"
        for t in CHILDREN
        for e in ("inserted", "updated", "deleted")
    ),
    "DROP TRIGGER IF EXISTS curricula_papers_changed",
    "DROP TRIGGER IF EXISTS curricula_curriculum_version",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("curricula", "0015_resource_pdf_title_tried_at")]

    operations = [
        migrations.AddField(
            model_name="curriculum",
            name="content_version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK}),
        ),
    ]
