"""The admin's Import Markdown page (preview, confirm, cancel) and export downloads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from curricula.models import Curriculum, Entry, Revision
from tests import factories

BUNDLED = Path(__file__).resolve().parents[2] / "curricula" / "bundled"
IMPORT = "/admin/curricula/curriculum/import/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # The pending upload waits in the cache: keep the tests' own.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "imp"}
    }


def upload(name: str = "elicit.md", content: bytes | None = None) -> SimpleUploadedFile:
    data = (BUNDLED / name).read_bytes() if content is None else content
    return SimpleUploadedFile(name, data, content_type="text/markdown")


def preview(client, *, slug="elicit", name="elicit.md", content=None, title=""):
    return client.post(
        IMPORT, {"file": upload(name, content), "slug": slug, "title": title, "action": "preview"}
    )


def token_of(response) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{64})"', response.content.decode())
    assert match, "no confirm form"
    return match.group(1)


def test_admin_sees_the_form_and_the_buttons(client, admin_user):
    client.force_login(admin_user)
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert b'name="file"' in page.content and b"Preview changes" in page.content
    changelist = client.get("/admin/curricula/curriculum/")
    assert IMPORT.encode() in changelist.content and b"Import Markdown" in changelist.content


def test_preview_shows_the_report_and_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    response = preview(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dry run — nothing was changed." in html
    assert "Entries: 88 (added 88)" in html
    assert "Links: 91 http(s) links placed" in html
    assert "Confirm import" in html and "Cancel" in html
    assert not Curriculum.objects.exists()


def test_confirm_applies_the_previewed_file(client, admin_user):
    client.force_login(admin_user)
    token = token_of(preview(client, title="Elicit ML"))
    response = client.post(IMPORT, {"token": token, "action": "confirm"})
    curriculum = Curriculum.objects.get(slug="elicit")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/curricula/curriculum/{curriculum.pk}/change/"
    assert curriculum.title == "Elicit ML"
    assert Entry.objects.filter(curriculum=curriculum).count() == 88
    revision = Revision.objects.get(curriculum=curriculum)
    assert (revision.created_by, revision.source_name) == (admin_user, "elicit.md")
    # The token is spent: a second confirm does not import again.
    again = client.post(IMPORT, {"token": token, "action": "confirm"})
    assert again.status_code == 422
    assert b"expired or was already used" in again.content
    assert Revision.objects.count() == 1


def test_cancel_discards_the_upload(client, admin_user):
    client.force_login(admin_user)
    token = token_of(preview(client))
    response = client.post(IMPORT, {"token": token, "action": "cancel"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/curricula/curriculum/"
    assert client.post(IMPORT, {"token": token, "action": "confirm"}).status_code == 422
    assert not Curriculum.objects.exists()


def test_a_forged_or_foreign_token_imports_nothing(client, admin_user):
    client.force_login(admin_user)
    token = token_of(preview(client))
    other = factories.make_user("curator2", is_staff=True, is_superuser=True)
    client.force_login(other)
    response = client.post(IMPORT, {"token": token, "action": "confirm"})
    assert response.status_code == 422
    forged = client.post(IMPORT, {"token": "0" * 64, "action": "confirm"})
    assert forged.status_code == 422
    assert client.post(IMPORT, {"token": "<script>", "action": "confirm"}).status_code == 422
    assert not Curriculum.objects.exists()


def test_a_reimport_preview_without_changes_offers_no_confirm(client, admin_user):
    client.force_login(admin_user)
    client.post(IMPORT, {"token": token_of(preview(client)), "action": "confirm"})
    response = preview(client)
    assert response.status_code == 200
    assert "already matches" in response.content.decode()
    assert b"Confirm import" not in response.content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x00\x01\x02binary", "looks binary"),
        ("é".encode("latin-1") * 20, "not UTF-8"),
        (b"# No links\n\nJust words.\n", "no links found"),
        (b"## T\n\n- [x](javascript:alert(1))\n- [y](https://example.org/)\n", "dangerous link"),
    ],
)
def test_bad_files_come_back_with_the_message_and_422(client, admin_user, content, message):
    client.force_login(admin_user)
    response = preview(client, content=content, name="bad.md")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Curriculum.objects.exists()


def test_missing_file_bad_slug_and_oversized_file_are_422(client, admin_user, settings):
    client.force_login(admin_user)
    no_file = client.post(IMPORT, {"slug": "x", "action": "preview"})
    assert no_file.status_code == 422 and b"This field is required" in no_file.content
    bad_slug = preview(client, slug="no spaces please")
    assert bad_slug.status_code == 422
    settings.READLIST_IMPORT_MAX_BYTES = 1024
    too_big = preview(client)
    assert too_big.status_code == 422
    assert b"the import limit is 1,024 bytes" in too_big.content
    assert not Curriculum.objects.exists()


def test_anonymous_and_non_staff_are_sent_to_the_admin_login(client, member):
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(member)
    response = client.post(IMPORT, {"file": upload(), "slug": "elicit", "action": "preview"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Curriculum.objects.exists()


def test_staff_without_curriculum_permissions_get_403(client):
    viewer = factories.make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_curriculum"))
    client.force_login(viewer)
    assert client.get(IMPORT).status_code == 403
    assert preview(client).status_code == 403
    assert not Curriculum.objects.exists()


def test_import_page_refuses_other_methods(client, admin_user):
    client.force_login(admin_user)
    assert client.put(IMPORT).status_code == 405
    assert client.delete(IMPORT).status_code == 405


# --- export -----------------------------------------------------------------------------------


@pytest.fixture
def elicit(client, admin_user):
    client.force_login(admin_user)
    client.post(IMPORT, {"token": token_of(preview(client)), "action": "confirm"})
    client.logout()
    return Curriculum.objects.get(slug="elicit")


def export_url(curriculum, fmt=None):
    url = f"/admin/curricula/curriculum/{curriculum.pk}/export/"
    return f"{url}?format={fmt}" if fmt else url


def test_change_page_has_export_buttons(client, admin_user, elicit):
    client.force_login(admin_user)
    page = client.get(f"/admin/curricula/curriculum/{elicit.pk}/change/").content.decode()
    for fmt in ("markdown", "bibtex", "csljson"):
        assert f"{export_url(elicit)}?format={fmt}" in page
    assert f"{IMPORT}?slug=elicit" in page


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename", "starts"),
    [
        ("markdown", "text/markdown", "elicit.md", "# Elicit Machine Learning Reading List"),
        ("bibtex", "application/x-bibtex", "elicit.bib", "% Elicit Machine Learning"),
        ("csljson", "application/vnd.citationstyles.csl+json", "elicit.json", "["),
    ],
)
def test_export_downloads_each_format(
    client, admin_user, elicit, fmt, content_type, filename, starts
):
    client.force_login(admin_user)
    response = client.get(export_url(elicit, fmt))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    body = response.content.decode()
    assert body.startswith(starts)
    if fmt == "csljson":
        assert len(json.loads(body)) > 50


def test_export_defaults_to_markdown_and_refuses_unknown_formats(client, admin_user, elicit):
    client.force_login(admin_user)
    assert client.get(export_url(elicit))["Content-Disposition"].endswith('.md"')
    bad = client.get(export_url(elicit, "docx"))
    assert bad.status_code == 400 and "Unknown export format" in bad.content.decode()


def test_export_access_and_methods(client, admin_user, member, elicit):
    assert client.get(export_url(elicit, "markdown")).status_code == 302  # anonymous
    client.force_login(member)
    assert client.get(export_url(elicit, "markdown")).status_code == 302  # not staff
    staff = factories.make_user("nobody", is_staff=True)
    client.force_login(staff)
    assert client.get(export_url(elicit, "markdown")).status_code == 403  # no permission
    client.force_login(admin_user)
    assert client.post(export_url(elicit, "markdown")).status_code == 405
    missing = f"/admin/curricula/curriculum/{elicit.pk + 999}/export/"
    assert client.get(missing).status_code == 404


def test_a_revision_cannot_be_deleted_from_admin(client, admin_user):
    """Revisions are history: the entries an import retired point at theirs."""
    client.force_login(admin_user)
    curriculum = factories.make_curriculum()
    revision = Revision.objects.create(curriculum=curriculum, number=1, sha256="x", source_text="")
    response = client.get(f"/admin/curricula/revision/{revision.pk}/delete/")
    assert response.status_code == 403
    response = client.post(f"/admin/curricula/revision/{revision.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Revision.objects.filter(pk=revision.pk).exists()


@pytest.mark.parametrize("kind", ["tier", "topic"])
def test_a_tier_or_topic_people_summarised_cannot_be_deleted_from_admin(client, admin_user, kind):
    """Deleting it would delete their summaries; an unwritten-about one still can go."""
    from notes.services import NoteTarget, note_save

    client.force_login(admin_user)
    curriculum = factories.make_curriculum()
    make = factories.make_tier if kind == "tier" else factories.make_topic
    summarised, bare = make(curriculum, 1), make(curriculum, 2)
    target = NoteTarget.for_tier(summarised) if kind == "tier" else NoteTarget.for_topic(summarised)
    reader = factories.make_user()
    note_save(
        actor=reader,
        target=target,
        body="What I took from it",
        visibility="private",
        base_version=0,
    )
    url = f"/admin/curricula/{kind}/{{}}/delete/"
    assert client.get(url.format(summarised.pk)).status_code == 403
    assert client.post(url.format(summarised.pk), {"post": "yes"}).status_code == 403
    assert summarised.notes.count() == 1
    changelist = client.get(f"/admin/curricula/{kind}/").content.decode()
    assert "delete_selected" not in changelist
    if kind == "tier":
        form = client.get(f"/admin/curricula/curriculum/{curriculum.pk}/change/")
        assert 'name="tiers-0-id"' in form.content.decode()  # the inline lists the tiers...
        assert "-DELETE" not in form.content.decode()  # ...but deletes none of them
    assert client.post(url.format(bare.pk), {"post": "yes"}).status_code == 302
    assert not type(bare).objects.filter(pk=bare.pk).exists()


@pytest.mark.parametrize("kind", ["tier", "topic"])
def test_deleting_a_tier_or_topic_says_what_loses_its_place(client, admin_user, kind):
    """Entries (and, for a tier, topics) are kept and un-tiered: the confirmation names them,
    since Django's own page lists only what is deleted."""
    client.force_login(admin_user)
    curriculum = factories.make_curriculum()
    if kind == "tier":
        gone = factories.make_tier(curriculum, 1)
        factories.make_topic(curriculum, "Topic inside the tier", tier=gone)
        entries = [factories.make_entry(curriculum, f"Paper {i}", tier=gone) for i in range(3)]
    else:
        gone = factories.make_topic(curriculum, "Going")
        entries = [factories.make_entry(curriculum, f"Paper {i}", topic=gone) for i in range(3)]
    other = factories.make_entry(curriculum, "Paper elsewhere")
    url = f"/admin/curricula/{kind}/{gone.pk}/delete/"
    html = client.get(url).content.decode()
    assert f"Entries that will have no {kind} (3)" in html
    assert all(e.title in html for e in entries) and other.title not in html
    if kind == "tier":
        assert "Topics that will have no tier (1)" in html and "Topic inside the tier" in html
    assert client.post(url, {"post": "yes"}).status_code == 302
    for e in entries:
        e.refresh_from_db()
        assert getattr(e, f"{kind}_id") is None


def test_two_admins_confirming_previews_of_one_list_the_second_is_told_to_preview_again(
    client, admin_user
):
    """Both previews were made against r1; once the first is applied the second one's report
    (what it retires, relinks, revives) is no longer what it would do: refused, nothing changed."""
    base = "# List\n\n## Topic\n\n- [One](https://example.org/1)\n- [Two](https://example.org/2)\n"
    client.force_login(admin_user)
    client.post(IMPORT, {"token": token_of(preview(client, slug="l", content=base.encode())),
                         "action": "confirm"})  # fmt: skip
    other = factories.make_user("second-admin", is_staff=True, is_superuser=True)
    second = Client()
    second.force_login(other)
    first_token = token_of(
        preview(
            client, slug="l", content=base.replace("- [Two](https://example.org/2)\n", "").encode()
        )
    )
    second_token = token_of(
        preview(second, slug="l", content=base.replace("[One]", "[One, revised]").encode())
    )
    assert client.post(IMPORT, {"token": first_token, "action": "confirm"}).status_code == 302
    late = second.post(IMPORT, {"token": second_token, "action": "confirm"})
    assert late.status_code == 422
    assert "changed since this preview" in late.content.decode()
    assert "Preview the file again" in late.content.decode()
    assert list(Revision.objects.values_list("number", flat=True).order_by("number")) == [1, 2]
    titles = set(Entry.objects.active().values_list("title", flat=True))
    assert titles == {"One"}  # the first admin's revision, untouched
