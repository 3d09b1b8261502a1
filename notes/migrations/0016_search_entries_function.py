"""The search's ranking of entries as a PL/pgSQL function, so its plan is made once per
connection instead of on every search (PostgreSQL only).

Planning the ranking (three tiers, notes/search.py says why) took 1.0-1.8 ms of every search,
as long as running it for a word in a few hundred entries. A function's queries are planned
once per connection and kept; `plan_cache_mode = force_generic_plan` keeps the one plan for
any words (the tiers' LIMITs, not the words' frequency, decide how much is read). Unlike a
prepared statement this works behind PgBouncer in transaction mode: the plan lives in the
server's session, not in the client's.

The query text is frozen here, as a migration's must be: a change to the ranking is a new
migration that replaces the function. The words are parsed once (`q`), so ranking reads a
value instead of parsing them again for every match. Columns come back as text, so a later
change of a column's type or length does not break the function. SQLite has no functions and
searches with plain matches (notes/search.py).
"""

from django.db import migrations

LIMIT = 50
TITLE_WORDS = "to_tsvector('english'::regconfig, e.title || ' ' || e.alias)"
TIER = """
        SELECT e.id, ts_rank(e.search_doc, q) AS r, c.title AS t, e.position AS p
        FROM curricula_entry e JOIN curricula_curriculum c ON c.id = e.curriculum_id
        WHERE e.retired_in_id IS NULL AND {match}
        ORDER BY r DESC, t, p, e.id LIMIT {limit}"""
# The whole vector must match a title match too ("attention -scaling" with "scaling" in the
# why); through coalesce, so the planner checks it on the title matches' rows instead of
# intersecting them with every entry that has the words.
TITLED = TIER.format(
    match=f"{TITLE_WORDS} @@ q AND coalesce(e.search_doc @@ q, false)", limit=LIMIT
)
OWN = TIER.format(
    match="e.search_doc @@ q AND e.id NOT IN (SELECT id FROM titled)",
    limit=f"(SELECT {LIMIT} - count(*) FROM titled)",
)
PAPERS = TIER.format(
    match="NOT e.search_doc @@ q AND e.resource_id = ANY((SELECT ids FROM paper_ids)::bigint[])",
    limit=f"(SELECT {LIMIT} - count(*) FROM (SELECT id FROM titled UNION ALL "
    "SELECT id FROM own) m)",
)
CREATE = f"""
CREATE OR REPLACE FUNCTION notes_search_entries(words text, me bigint)
RETURNS TABLE (entry_id bigint, entry_title text, entry_alias text, curriculum_slug text,
    curriculum_title text, paper_arxiv_id text, paper_title text, my_status text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
DECLARE
    q tsquery := websearch_to_tsquery('english'::regconfig, words);
BEGIN
    RETURN QUERY
    WITH titled AS MATERIALIZED ({TITLED}
    ), own AS MATERIALIZED ({OWN}
    ), paper_ids AS MATERIALIZED (
        SELECT ARRAY(SELECT id FROM curricula_resource WHERE search_doc @@ q) AS ids
    ), papers AS ({PAPERS}
    )
    SELECT e.id, e.title::text, e.alias::text, c.slug::text, c.title::text,
        r.arxiv_id::text, r.title::text,
        CASE WHEN e.resource_id IS NOT NULL
            THEN (SELECT s.status::text FROM notes_progress s
                WHERE s.user_id = me AND s.resource_id = e.resource_id)
            ELSE (SELECT s.status::text FROM notes_progress s
                WHERE s.user_id = me AND s.entry_id = e.id) END
    FROM (SELECT *, 0 AS k FROM titled UNION ALL SELECT *, 1 FROM own
        UNION ALL SELECT *, 2 FROM papers ORDER BY k, r DESC, t, p, id LIMIT {LIMIT}) m
    JOIN curricula_entry e ON e.id = m.id
    JOIN curricula_curriculum c ON c.id = e.curriculum_id
    LEFT JOIN curricula_resource r ON r.id = e.resource_id
    ORDER BY m.k, m.r DESC, m.t, m.p, m.id;
END $fn$"""  # noqa: S608
DROP = "DROP FUNCTION IF EXISTS notes_search_entries(text, bigint)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("notes", "0015_search_entry_titles")]

    operations = [migrations.RunPython(create, drop)]
