"""teams_board_change: which of a team's people each new BoardVersion is about.

0008's triggers change a team's version on every write that can change its dashboard, and the
dashboard then counted the whole team again. Most writes are one person's (a status click, a
note: their tally lines), so each version now also says whose lines changed, and the dashboard
(teams.kept) reads again only those people's rows; any other change (memberships,
assignments, names, curricula) is logged as NULL: everything, counted again.

PostgreSQL only (SQLite's versions are random numbers, with no order to read a log by: the
dashboard counts the whole team there, as before). The log is written at commit, with the
version, under 0008's advisory lock, so versions are in commit order: whoever sees a version
in the log sees every change before it. Each team keeps its latest KEEP rows; older ones are
deleted and teams_board_logfloor says up to which version, so a reader whose figures are
older than that counts again.
"""

import importlib

from django.db import migrations

previous = importlib.import_module("teams.migrations.0008_board_version")

KEEP = 5000
POSTGRES = [
    "ALTER TABLE teams_board_pending ADD COLUMN IF NOT EXISTS user_id bigint",
    """CREATE TABLE IF NOT EXISTS teams_board_change (
      team_id bigint NOT NULL, version bigint NOT NULL, user_id bigint)""",
    """CREATE INDEX IF NOT EXISTS teams_board_change_team_version
      ON teams_board_change (team_id, version)""",
    """CREATE TABLE IF NOT EXISTS teams_board_logfloor (
      team_id bigint PRIMARY KEY, version bigint NOT NULL)""",
    # A person's tally lines: their teams, with them (teams_board_people, which the other
    # triggers use, notes the teams alone: everything).
    """CREATE OR REPLACE FUNCTION teams_board_lines(people bigint[]) RETURNS void
    LANGUAGE sql AS $$
      INSERT INTO teams_board_pending (team_id, user_id)
      SELECT DISTINCT team_id, user_id FROM teams_membership WHERE user_id = ANY(people)
    $$""",
    """CREATE OR REPLACE FUNCTION teams_board_lines_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM teams_board_lines(ARRAY(SELECT user_id FROM new_rows));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM teams_board_lines(ARRAY(SELECT user_id FROM old_rows));
      ELSE
        PERFORM teams_board_lines(ARRAY(
          SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION teams_board_commit() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
      noted bigint; everything boolean; people bigint[]; drawn bigint; cut bigint;
    BEGIN
      -- The first of a team's notes in this transaction takes them all (the others' rows
      -- are gone by the time their turn comes).
      WITH gone AS (
        DELETE FROM teams_board_pending WHERE team_id = NEW.team_id RETURNING user_id)
      SELECT count(*), bool_or(user_id IS NULL),
        array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL)
      INTO noted, everything, people FROM gone;
      IF noted > 0 THEN
        PERFORM pg_advisory_xact_lock({previous.BOARD_LOCK});
        drawn := nextval('teams_board_version_seq');
        INSERT INTO teams_boardversion (team_id, version) VALUES (NEW.team_id, drawn)
        ON CONFLICT (team_id) DO UPDATE SET version = EXCLUDED.version;
        IF everything THEN
          INSERT INTO teams_board_change (team_id, version, user_id)
          VALUES (NEW.team_id, drawn, NULL);
        ELSE
          INSERT INTO teams_board_change (team_id, version, user_id)
          SELECT NEW.team_id, drawn, unnest(people);
        END IF;
        SELECT version INTO cut FROM teams_board_change WHERE team_id = NEW.team_id
          ORDER BY version DESC OFFSET {KEEP} LIMIT 1;
        IF cut IS NOT NULL THEN
          DELETE FROM teams_board_change WHERE team_id = NEW.team_id AND version <= cut;
          INSERT INTO teams_board_logfloor (team_id, version) VALUES (NEW.team_id, cut)
          ON CONFLICT (team_id) DO UPDATE
            SET version = GREATEST(teams_board_logfloor.version, EXCLUDED.version);
        END IF;
      END IF;
      RETURN NULL;
    END $$""",
]


def _function(name: str) -> str:
    return next(sql for sql in previous.POSTGRES if f"FUNCTION {name}()" in sql)


POSTGRES_BACK = [
    _function("teams_board_commit"),
    _function("teams_board_lines_changed"),
    "DROP FUNCTION IF EXISTS teams_board_lines(bigint[])",
    "DROP TABLE IF EXISTS teams_board_logfloor",
    "DROP TABLE IF EXISTS teams_board_change",
    "DELETE FROM teams_board_pending",
    "ALTER TABLE teams_board_pending DROP COLUMN IF EXISTS user_id",
]


class Migration(migrations.Migration):
    dependencies = [("teams", "0008_board_version")]

    operations = [
        migrations.RunPython(
            previous._run({"postgresql": POSTGRES}), previous._run({"postgresql": POSTGRES_BACK})
        ),
    ]
