"""Bad input to the importer: a clear message, nothing stored changes, a non-zero exit."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from curricula.models import Curriculum, Entry, Resource, Revision
from curricula.services import ImportRejected, curriculum_import

BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "bundled"
pytestmark = pytest.mark.django_db

GOOD = "# A list\n\n## Topic\n\n- [A paper](https://arxiv.org/abs/2305.18290)\n"


def snapshot():
    return (
        Curriculum.objects.count(),
        Revision.objects.count(),
        list(Entry.objects.order_by("pk").values()),
        Resource.objects.count(),
    )


@pytest.fixture
def existing(db):
    curriculum_import(actor=None, text=GOOD, slug="mine")
    return snapshot()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n\t\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        ("caf\xe9 [x](https://example.org/)".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
        (bytes(range(1, 31)) * 10, "looks binary"),
        (b"# Notes\n\nJust prose, nothing to read.\n", "no links found"),
        (b"- a list\n- of things\n", "no links found"),
        (b"[home](#top) and [mail](mailto:x@example.org)\n", "no links found"),
        (
            b"## T\n\n- [fine](https://example.org/)\n- [evil](javascript:alert(document.title))\n",
            "dangerous link(s) refused",
        ),
        (
            b"## T\n\n- [x](https://example.org/)\n- [y](data:text/html;base64,PHNjcmlwdD4=)\n",
            "line 4",
        ),
        (
            b'## T\n\n- [x](https://example.org/)\n\n<a href="JavaScript:alert(1)">y</a>\n',
            "dangerous link(s) refused",
        ),
    ],
)
def test_bad_input_is_rejected_with_a_message_and_nothing_changes(existing, data, message):
    with pytest.raises(ImportRejected) as caught:
        curriculum_import(actor=None, text=data, slug="mine")
    assert message in caught.value.message
    assert snapshot() == existing


def test_a_file_over_the_size_limit_is_rejected(existing, settings):
    settings.READLIST_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    big = GOOD + "\n" + ("x" * 100 + "\n") * (2 * 1024 * 1024 // 100)
    with pytest.raises(ImportRejected, match="the import limit is 2,097,152 bytes"):
        curriculum_import(actor=None, text=big.encode(), slug="mine")
    assert snapshot() == existing


def test_dangerous_links_are_never_stored(existing):
    text = GOOD + "- [evil](javascript:alert(1))\n"
    with pytest.raises(ImportRejected):
        curriculum_import(actor=None, text=text, slug="mine")
    assert not Entry.objects.filter(title__icontains="evil").exists()
    assert not Resource.objects.filter(url__icontains="javascript").exists()


@pytest.mark.parametrize("slug", ["", "has space", "../etc", "x" * 51])
def test_a_bad_slug_is_rejected(existing, slug):
    with pytest.raises(ImportRejected, match="slug"):
        curriculum_import(actor=None, text=GOOD, slug=slug)
    assert snapshot() == existing


def test_only_staff_may_import(existing, member):
    with pytest.raises(PermissionDenied):
        curriculum_import(actor=member, text=GOOD, slug="mine")


def test_a_staff_import_records_who_did_it(admin_user):
    result = curriculum_import(actor=admin_user, text=GOOD, slug="by-admin")
    assert result.revision.created_by == admin_user


def test_a_failure_midway_rolls_the_whole_import_back(existing, monkeypatch):
    from curricula import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_retire", explode)
    text = GOOD.replace("2305.18290", "2402.03300")  # retires one entry, adds another
    with pytest.raises(RuntimeError):
        curriculum_import(actor=None, text=text, slug="mine")
    assert snapshot() == existing


# --- the command ----------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_curriculum", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_command_prints_the_report(db):
    out = run(str(BUNDLED / "elicit.md"), "--curriculum", "elicit")
    assert out.startswith("Imported elicit.md into “elicit”: revision r1.")
    assert "Entries: 88 (added 88)" in out
    assert "Resources: 87 linked (87 new, 0 already in the catalogue)" in out
    assert "Links: 91 http(s) links placed" in out
    assert "Skipped: 7" in out


def test_command_dry_run_changes_nothing(db):
    out = run(str(BUNDLED / "llm-tricks.md"), "--curriculum", "tricks", "--dry-run")
    assert out.startswith("Dry run — nothing was changed.")
    assert "Entries: 74 (added 74)" in out
    assert not Curriculum.objects.exists()


def test_command_title_option_names_the_curriculum(db):
    run(str(BUNDLED / "llm-tricks.md"), "--curriculum", "tricks", "--title", "Tricks")
    assert Curriculum.objects.get(slug="tricks").title == "Tricks"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe\x00b\x00i\x00n", "looks binary"),
        (b"# nothing\n\nno links\n", "no links found"),
    ],
)
def test_command_fails_with_the_message_not_a_traceback(tmp_path, db, content, message):
    path = tmp_path / "list.md"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path), "--curriculum", "x")
    assert not Curriculum.objects.exists()


def test_command_missing_file_and_directory(tmp_path, db):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "absent.md"), "--curriculum", "x")
    # A folder is read as a list over several files (test_importer_bundle.py): an empty one
    # says so.
    with pytest.raises(CommandError, match="no Markdown files found"):
        run(str(tmp_path), "--curriculum", "x")


def test_command_exits_non_zero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys

    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    completed = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, str(manage), "import_curriculum", str(empty), "--curriculum", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert completed.returncode != 0
    assert "The file is empty." in completed.stderr
    assert "Traceback" not in completed.stderr
