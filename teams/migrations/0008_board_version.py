"""teams_boardversion, changed by triggers on every write that can change a team's dashboard.

The dashboard keeps its figures and its page under (team, version, day, filters, page;
teams.selectors), so the version must change with every write that changes what the selection
(teams.board) reads, however it is written: Django's saves, bulk statements
(notes.tallies.refresh deletes and inserts every line at once), raw SQL. It changes in the
writing transaction, so it is seen together with what was written, never before or after.

- notes' tally lines (ProgressTally, WeekTally): a person's progress marked, a note shared, an
  entry retired or a curriculum revised, any recount: the teams of every person whose lines
  changed (on PostgreSQL once per statement, through transition tables);
- memberships: their team (a member joins, leaves or changes role);
- assignments: their team, the team they were made in, and every team of the person a
  personal one is for (a personal one shows in the teams of that person);
- users: the teams of a person whose name, username or email changed (not last_login);
- curricula: every update of a curriculum row (its title, rule, and, through curricula
  migration 0016's triggers, which raise its content_version, any change of its entries,
  tiers or topics: what a row without a tally line counts, the tiers' labels) changes the
  teams it is assigned in, as an assignment of it would.
"""

from django.conf import settings
from django.db import migrations, models

# PostgreSQL: a statement's triggers only note the teams it touched (teams_board_pending);
# their versions are changed at commit, by a deferred constraint trigger, under one advisory
# lock. Changed at once, a team's row would stay locked from that statement to the commit,
# while the transaction may go on to wait for notes' tally lock (an import changes entries,
# then recounts), held by a recount waiting for that row: a deadlock. At commit nothing
# waits for anything any more, and the lock makes the commits that change versions take
# turns (a few row writes each).
# A new version is drawn from a sequence: never given twice, even when a transaction that
# drew one rolls back. No row reads as 0, below every drawn value.
BOARD_LOCK = 7_201_300_013  # pg_advisory_xact_lock's key: this lock only
POSTGRES = [
    "CREATE SEQUENCE IF NOT EXISTS teams_board_version_seq",
    "CREATE TABLE IF NOT EXISTS teams_board_pending (team_id bigint NOT NULL)",
    """CREATE OR REPLACE FUNCTION teams_board_bump(teams bigint[]) RETURNS void
    LANGUAGE sql AS $$
      INSERT INTO teams_board_pending (team_id)
      SELECT DISTINCT t FROM unnest(teams) AS t WHERE t IS NOT NULL
    $$""",
    f"""CREATE OR REPLACE FUNCTION teams_board_commit() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      -- The first of a team's notes in this transaction takes them all (the others' rows
      -- are gone by the time their turn comes).
      DELETE FROM teams_board_pending WHERE team_id = NEW.team_id;
      IF FOUND THEN
        PERFORM pg_advisory_xact_lock({BOARD_LOCK});
        INSERT INTO teams_boardversion (team_id, version)
        VALUES (NEW.team_id, nextval('teams_board_version_seq'))
        ON CONFLICT (team_id) DO UPDATE SET version = EXCLUDED.version;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER teams_board_commit AFTER INSERT ON teams_board_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION teams_board_commit()""",
    """CREATE OR REPLACE FUNCTION teams_board_people(people bigint[]) RETURNS void
    LANGUAGE sql AS $$
      SELECT teams_board_bump(ARRAY(
        SELECT team_id FROM teams_membership WHERE user_id = ANY(people)))
    $$""",
    """CREATE OR REPLACE FUNCTION teams_board_lines_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM teams_board_people(ARRAY(SELECT user_id FROM new_rows));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM teams_board_people(ARRAY(SELECT user_id FROM old_rows));
      ELSE
        PERFORM teams_board_people(ARRAY(
          SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION teams_board_members_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM teams_board_bump(ARRAY(SELECT team_id FROM new_rows));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM teams_board_bump(ARRAY(SELECT team_id FROM old_rows));
      ELSE
        PERFORM teams_board_bump(ARRAY(
          SELECT team_id FROM new_rows UNION SELECT team_id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION teams_board_assignments_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM teams_board_bump(ARRAY(
          SELECT team_id FROM new_rows UNION SELECT made_in_id FROM new_rows));
        PERFORM teams_board_people(ARRAY(SELECT user_id FROM new_rows));
      END IF;
      IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM teams_board_bump(ARRAY(
          SELECT team_id FROM old_rows UNION SELECT made_in_id FROM old_rows));
        PERFORM teams_board_people(ARRAY(SELECT user_id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION teams_board_curricula_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      PERFORM teams_board_bump(ARRAY(
        SELECT a.team_id FROM teams_assignment a JOIN new_rows n ON n.id = a.curriculum_id
        UNION SELECT a.made_in_id FROM teams_assignment a JOIN new_rows n
          ON n.id = a.curriculum_id));
      PERFORM teams_board_people(ARRAY(
        SELECT a.user_id FROM teams_assignment a JOIN new_rows n ON n.id = a.curriculum_id
        WHERE a.user_id IS NOT NULL));
      RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION teams_board_names_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN
      PERFORM teams_board_people(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.username IS DISTINCT FROM o.username
          OR n.first_name IS DISTINCT FROM o.first_name
          OR n.last_name IS DISTINCT FROM o.last_name
          OR n.email IS DISTINCT FROM o.email));
      RETURN NULL;
    END $$""",
]
# (table, function, operations)
WATCHED = [
    ("notes_progresstally", "teams_board_lines_changed", ("insert", "update", "delete")),
    ("notes_weektally", "teams_board_lines_changed", ("insert", "update", "delete")),
    ("teams_membership", "teams_board_members_changed", ("insert", "update", "delete")),
    ("teams_assignment", "teams_board_assignments_changed", ("insert", "update", "delete")),
    ("auth_user", "teams_board_names_changed", ("update",)),
    ("curricula_curriculum", "teams_board_curricula_changed", ("update",)),
]
_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}
for _table, _function, _operations in WATCHED:
    for _op in _operations:
        POSTGRES.append(
            f"""CREATE TRIGGER {_table}_board_{_op} AFTER {_op.upper()} ON {_table}
            {_REFERENCING[_op]}
            FOR EACH STATEMENT EXECUTE FUNCTION {_function}()"""
        )
POSTGRES_BACK = [
    *(
        f"DROP TRIGGER IF EXISTS {t}_board_{op} ON {t}"
        for t, _, operations in WATCHED
        for op in operations
    ),
    *(
        f"DROP FUNCTION IF EXISTS {f}"
        for f in (
            "teams_board_lines_changed()",
            "teams_board_members_changed()",
            "teams_board_assignments_changed()",
            "teams_board_names_changed()",
            "teams_board_curricula_changed()",
            "teams_board_people(bigint[])",
            "teams_board_bump(bigint[])",
        )
    ),
    "DROP TRIGGER IF EXISTS teams_board_commit ON teams_board_pending",
    "DROP FUNCTION IF EXISTS teams_board_commit()",
    "DROP TABLE IF EXISTS teams_board_pending",
    "DROP SEQUENCE IF EXISTS teams_board_version_seq",
]


# SQLite (development and tests): row triggers, each making the rows it needs (at 0) and then
# giving them a random 63-bit version (the generator is not rolled back with a transaction, so
# a version drawn in one that rolls back is not drawn again either).
def _sqlite_bump(teams: str) -> str:
    return (
        f"INSERT OR IGNORE INTO teams_boardversion (team_id, version) "
        f"SELECT id, 0 FROM teams_team WHERE id IN ({teams}); "
        f"UPDATE teams_boardversion SET version = abs(random()) WHERE team_id IN ({teams});"
    )


def _of_people(people: str) -> str:
    return f"SELECT team_id FROM teams_membership WHERE user_id IN ({people})"


_SQLITE_WHAT = {
    # table → (row → the teams to raise)
    "notes_progresstally": lambda row: _of_people(f"{row}.user_id"),
    "notes_weektally": lambda row: _of_people(f"{row}.user_id"),
    "teams_membership": lambda row: f"SELECT {row}.team_id",
    "teams_assignment": lambda row: (
        f"SELECT {row}.team_id UNION SELECT {row}.made_in_id "
        f"UNION {_of_people(f'{row}.user_id')}"
    ),
}
SQLITE = []
for _table, what in _SQLITE_WHAT.items():
    SQLITE += [
        f"CREATE TRIGGER {_table}_board_insert AFTER INSERT ON {_table} BEGIN "
        f"{_sqlite_bump(what('NEW'))} END",
        f"CREATE TRIGGER {_table}_board_update AFTER UPDATE ON {_table} BEGIN "
        f"{_sqlite_bump(what('NEW') + ' UNION ' + what('OLD'))} END",
        f"CREATE TRIGGER {_table}_board_delete AFTER DELETE ON {_table} BEGIN "
        f"{_sqlite_bump(what('OLD'))} END",
    ]
SQLITE.append(
    "CREATE TRIGGER auth_user_board_update AFTER UPDATE ON auth_user "
    "WHEN NEW.username IS NOT OLD.username OR NEW.first_name IS NOT OLD.first_name "
    "OR NEW.last_name IS NOT OLD.last_name OR NEW.email IS NOT OLD.email BEGIN "
    f"{_sqlite_bump(_of_people('NEW.id'))} END"
)
_assigned = "SELECT {column} FROM teams_assignment WHERE curriculum_id = NEW.id"
SQLITE.append(
    "CREATE TRIGGER curricula_curriculum_board_update AFTER UPDATE ON curricula_curriculum "
    "BEGIN "
    + _sqlite_bump(
        f"{_assigned.format(column='team_id')} UNION {_assigned.format(column='made_in_id')} "
        f"UNION {_of_people(_assigned.format(column='user_id'))}"
    )
    + " END"
)
SQLITE_BACK = [
    *(f"DROP TRIGGER IF EXISTS {t}_board_{op}" for t in _SQLITE_WHAT for op in _REFERENCING),
    "DROP TRIGGER IF EXISTS auth_user_board_update",
    "DROP TRIGGER IF EXISTS curricula_curriculum_board_update",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0007_comment_revisions"),
        ("notes", "0013_reaffirmation_user_relation"),
        ("curricula", "0016_curriculum_content_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BoardVersion",
            fields=[
                ("team_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK}),
        ),
    ]
