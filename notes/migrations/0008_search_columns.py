"""Search vectors stored in columns, and trigram indexes for typos (PostgreSQL only).

Ranking used to recompute `to_tsvector` for every match before taking the top 50, so a common
word cost many times a rare one. The vectors now live in `search_doc` columns kept by triggers
(entries: their title, alias and why, weighted A, and their paper's title, weighted B, so one
stored vector ranks an entry; resources: title, abstract and authors, for matching; notes:
body), indexed with GIN, and ranking reads them.

Triggers rather than generated columns: PostgreSQL refuses to change the type of a column a
generated column reads (a later `max_length` change of Entry.title would fail to migrate),
and triggers do not. The columns are not model fields: the catalogue's models do not search,
Django never writes them, and SQLite (which searches with plain matches) has none.
`pg_trgm` gives typo-tolerant matching of titles (notes/search.py); it is a trusted
extension, so the database owner can create it.
"""

from django.db import migrations

ENTRY_OWN = (
    "setweight(to_tsvector('english'::regconfig, coalesce({r}.title, '') || ' ' || "
    "coalesce({r}.alias, '') || ' ' || coalesce({r}.why, '')), 'A')"
)
PAPER_TITLE = "setweight(to_tsvector('english'::regconfig, coalesce({title}, '')), 'B')"
ENTRY_DOC = (
    ENTRY_OWN
    + " || "
    + PAPER_TITLE.format(title="(SELECT title FROM curricula_resource WHERE id = {r}.resource_id)")
)
RESOURCE_DOC = (
    "to_tsvector('english'::regconfig, coalesce({r}.title, '') || ' ' || "
    "coalesce({r}.abstract, '') || ' ' || coalesce({r}.authors::text, ''))"
)
NOTE_DOC = "to_tsvector('english'::regconfig, coalesce({r}.body, ''))"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Entries.
    "ALTER TABLE curricula_entry ADD COLUMN IF NOT EXISTS search_doc tsvector",
    f"""CREATE OR REPLACE FUNCTION notes_entry_search_doc() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN NEW.search_doc := {ENTRY_DOC.format(r="NEW")}; RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS notes_entry_search_doc ON curricula_entry",
    """CREATE TRIGGER notes_entry_search_doc BEFORE INSERT OR UPDATE OF title, alias, why,
    resource_id ON curricula_entry FOR EACH ROW EXECUTE FUNCTION notes_entry_search_doc()""",
    f"UPDATE curricula_entry SET search_doc = {ENTRY_DOC.format(r='curricula_entry')}",
    "CREATE INDEX IF NOT EXISTS notes_search_entry_doc ON curricula_entry USING gin (search_doc)",
    "DROP INDEX IF EXISTS notes_search_entry_idx",
    """CREATE INDEX IF NOT EXISTS notes_trgm_entry ON curricula_entry USING gin
    ((coalesce(title, '') || ' ' || coalesce(alias, '')) gin_trgm_ops)""",
    # Resources.
    "ALTER TABLE curricula_resource ADD COLUMN IF NOT EXISTS search_doc tsvector",
    f"""CREATE OR REPLACE FUNCTION notes_resource_search_doc() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN NEW.search_doc := {RESOURCE_DOC.format(r="NEW")}; RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS notes_resource_search_doc ON curricula_resource",
    """CREATE TRIGGER notes_resource_search_doc BEFORE INSERT OR UPDATE OF title, abstract,
    authors ON curricula_resource FOR EACH ROW EXECUTE FUNCTION notes_resource_search_doc()""",
    f"UPDATE curricula_resource SET search_doc = {RESOURCE_DOC.format(r='curricula_resource')}",
    # A paper's new title (fetched from arXiv) reaches the vectors of the entries that link it.
    f"""CREATE OR REPLACE FUNCTION notes_resource_title_to_entries() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
    IF NEW.title IS DISTINCT FROM OLD.title THEN
      UPDATE curricula_entry SET search_doc = {ENTRY_OWN.format(r="curricula_entry")} || {
        PAPER_TITLE.format(title="NEW.title")
    } WHERE resource_id = NEW.id;
    END IF; RETURN NULL; END $$""",
    "DROP TRIGGER IF EXISTS notes_resource_title_to_entries ON curricula_resource",
    """CREATE TRIGGER notes_resource_title_to_entries AFTER UPDATE OF title ON curricula_resource
    FOR EACH ROW EXECUTE FUNCTION notes_resource_title_to_entries()""",
    """CREATE INDEX IF NOT EXISTS notes_search_resource_doc ON curricula_resource
    USING gin (search_doc)""",
    "DROP INDEX IF EXISTS notes_search_resource_idx",
    """CREATE INDEX IF NOT EXISTS notes_trgm_resource ON curricula_resource USING gin
    (coalesce(title, '') gin_trgm_ops)""",
    # Notes.
    "ALTER TABLE notes_note ADD COLUMN IF NOT EXISTS search_doc tsvector",
    f"""CREATE OR REPLACE FUNCTION notes_note_search_doc() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN NEW.search_doc := {NOTE_DOC.format(r="NEW")}; RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS notes_note_search_doc ON notes_note",
    """CREATE TRIGGER notes_note_search_doc BEFORE INSERT OR UPDATE OF body ON notes_note
    FOR EACH ROW EXECUTE FUNCTION notes_note_search_doc()""",
    f"UPDATE notes_note SET search_doc = {NOTE_DOC.format(r='notes_note')}",
    "CREATE INDEX IF NOT EXISTS notes_search_note_doc ON notes_note USING gin (search_doc)",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS notes_entry_search_doc ON curricula_entry",
    "DROP TRIGGER IF EXISTS notes_resource_search_doc ON curricula_resource",
    "DROP TRIGGER IF EXISTS notes_resource_title_to_entries ON curricula_resource",
    "DROP TRIGGER IF EXISTS notes_note_search_doc ON notes_note",
    "DROP FUNCTION IF EXISTS notes_entry_search_doc()",
    "DROP FUNCTION IF EXISTS notes_resource_search_doc()",
    "DROP FUNCTION IF EXISTS notes_resource_title_to_entries()",
    "DROP FUNCTION IF EXISTS notes_note_search_doc()",
    "DROP INDEX IF EXISTS notes_trgm_entry",
    "DROP INDEX IF EXISTS notes_trgm_resource",
    "ALTER TABLE curricula_entry DROP COLUMN IF EXISTS search_doc",
    "ALTER TABLE curricula_resource DROP COLUMN IF EXISTS search_doc",
    "ALTER TABLE notes_note DROP COLUMN IF EXISTS search_doc",
    # The expression indexes of 0002 come back; pg_trgm stays (other things may use it).
    "CREATE INDEX IF NOT EXISTS notes_search_entry_idx ON curricula_entry USING gin "
    "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(alias, '') "
    "|| ' ' || coalesce(why, '')))",
    "CREATE INDEX IF NOT EXISTS notes_search_resource_idx ON curricula_resource USING gin "
    "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(abstract, '') "
    "|| ' ' || coalesce(authors::text, '')))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0007_alter_activity_verb"),
        ("curricula", "0003_retired_in_restrict"),
    ]

    operations = [migrations.RunPython(forward, backward)]
