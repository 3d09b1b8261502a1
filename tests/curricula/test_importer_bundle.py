"""A curriculum over several Markdown files: a folder or a .zip, following relative links."""

from __future__ import annotations

import io
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curricula.importer import parse_markdown
from curricula.importer.bundle import BundleError, combine, read_folder, read_zip
from curricula.models import Entry

OSSU = Path(__file__).resolve().parent / "data" / "ossu"
LIMIT = 2 * 1024 * 1024


def zipped(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(folder.rglob("*.md")):
            archive.write(file, prefix + file.relative_to(folder).as_posix())
    return buffer.getvalue()


def test_a_readme_and_the_chapters_it_links_read_as_one_list():
    text, root = combine(
        {
            "README.md": "# Course\n\n1. [Chapter one](1-intro.md)\n"
            "2. [Chapter two](sub/2-more.md)\n",
            "1-intro.md": "# Intro\n\n## Reading\n\n- [Paper A](https://example.org/a)\n"
            "- See also [chapter two](sub/2-more.md#part)\n\n```\n# not a heading\n```\n",
            "sub/2-more.md": "## Reading\n\n- [Paper B](https://example.org/b)\n",
            "unlinked.md": "- [Paper C](https://example.org/c)\n",
        }
    )
    assert root == "README.md"
    parsed = parse_markdown(text)
    # Each chapter is a part of the list, its sections the topics under it.
    assert [(e.title, parsed.topics[e.topic].part) for e in parsed.entries] == [
        ("Paper A", "Intro"),  # the chapter's own heading names it
        ("Paper B", "Chapter two"),  # no heading of its own: the README's link text
    ]
    assert "# not a heading" in text  # fenced code is not demoted
    assert not any("1-intro.md" in s.url or "2-more.md" in s.url for s in parsed.skipped)
    assert "Paper C" not in text  # not linked from the entry file: not part of the list


def test_the_ossu_folder_and_its_zip_import_the_same_curriculum(tmp_path, db):
    folder_text, _ = read_folder(OSSU, max_bytes=LIMIT)
    zip_text, _ = read_zip(zipped(OSSU, prefix="computer-science/"), max_bytes=LIMIT)
    assert folder_text == zip_text
    single = parse_markdown((OSSU / "README.md").read_text(encoding="utf-8"))
    combined = parse_markdown(folder_text)
    assert len(combined.entries) > len(single.entries)
    # The course pages' own readings are there (OSTEP's chapters, the intro course's link).
    assert any("ostep.org" in e.url or "pages.cs.wisc.edu" in e.url for e in combined.entries)
    archive = tmp_path / "ossu.zip"
    archive.write_bytes(zipped(OSSU))
    call_command("import_curriculum", str(archive), "--curriculum", "ossu", stdout=StringIO())
    call_command("import_curriculum", str(OSSU), "--curriculum", "ossu2", stdout=StringIO())
    counts = [Entry.objects.filter(curriculum__slug=s).count() for s in ("ossu", "ossu2")]
    assert counts[0] == counts[1] == len(combined.entries)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no Markdown files"),
        ({"a.md": "x", "b.md": "y"}, "no entry file"),
    ],
)
def test_a_bundle_without_an_entry_file_says_why(files, message):
    with pytest.raises(BundleError, match=message):
        combine(files)


def test_a_bad_or_oversized_zip_is_refused_with_a_message(tmp_path, db):
    with pytest.raises(BundleError, match=r"not a readable \.zip"):
        read_zip(b"not a zip", max_bytes=LIMIT)
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", "# x\n" + "a" * 5000)
    with pytest.raises(BundleError, match="import limit"):
        read_zip(big.getvalue(), max_bytes=1000)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK nonsense")
    with pytest.raises(CommandError, match=r"not a readable \.zip"):
        call_command("import_curriculum", str(bad), "--curriculum", "x", stdout=StringIO())


def test_the_admin_previews_a_zip_upload_as_one_list(client, admin_user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "z"}
    }
    client.force_login(admin_user)
    upload = SimpleUploadedFile("ossu.zip", zipped(OSSU), "application/zip")
    response = client.post(
        "/admin/curricula/curriculum/import/",
        {"file": upload, "slug": "ossu", "title": "OSSU", "action": "preview"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    combined = parse_markdown(read_folder(OSSU, max_bytes=LIMIT)[0])
    assert f"Entries: {len(combined.entries)} " in page  # the chapters' readings included
    assert not Entry.objects.exists()  # a preview changes nothing
    bad = SimpleUploadedFile("x.zip", b"nope", "application/zip")
    refused = client.post(
        "/admin/curricula/curriculum/import/",
        {"file": bad, "slug": "x", "title": "", "action": "preview"},
    )
    assert refused.status_code == 422 and "not a readable .zip" in refused.content.decode()
