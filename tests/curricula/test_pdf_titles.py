"""PDF links get a title check: their /Title metadata or first-page title, read with bounds."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pypdf import PdfWriter

from curricula.models import TitleCheck
from curricula.verdicts import pdf
from curricula.verdicts.pdf import pdf_title, resources_read_pdf_titles
from curricula.verify import titles_verify
from tests import factories


def pdf_with_metadata(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_text(line: str) -> bytes:
    """A one-page PDF whose first page shows `line` (no /Title metadata)."""
    stream = f"BT /F1 18 Tf 20 150 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_title_from_metadata_or_the_first_page():
    assert pdf_title(pdf_with_metadata("GPT-4 System Card")) == "GPT-4 System Card"
    assert pdf_title(pdf_with_text("Constitutional AI: Harmlessness")) == (
        "Constitutional AI: Harmlessness"
    )
    # Junk metadata ("Microsoft Word - draft.docx") falls back to the page.
    assert pdf_title(pdf_with_metadata("Microsoft Word - draft.docx")) == ""


@pytest.mark.parametrize("body", [b"<html>not a pdf</html>", b"%PDF-1.4 garbage", b""])
def test_what_is_not_a_readable_pdf_has_no_title(body):
    assert pdf_title(body) == ""


def test_a_slow_parse_is_abandoned_at_the_deadline(monkeypatch):
    monkeypatch.setattr(pdf, "_title_from", lambda body: time.sleep(2) or "late")
    started = time.monotonic()
    assert pdf_title(pdf_with_metadata("x y"), timeout=0.2) == ""
    assert time.monotonic() - started < 1.0


@pytest.mark.django_db
def test_pdf_links_are_judged_by_their_own_title(fetch_local, httpserver, settings):
    settings.READLIST_PDF_MAX_BYTES = 50_000
    httpserver.expect_request("/card.pdf").respond_with_data(
        pdf_with_metadata("GPT-4 System Card"), content_type="application/pdf"
    )
    httpserver.expect_request("/other.pdf").respond_with_data(
        pdf_with_metadata("Cooking With Garlic"), content_type="application/pdf"
    )
    httpserver.expect_request("/huge.pdf").respond_with_data(
        pdf_with_metadata("Too Big") + b"%" * 60_000, content_type="application/pdf"
    )
    curriculum = factories.make_curriculum()
    right = factories.make_resource(httpserver.url_for("/card.pdf"), health="ok")
    wrong = factories.make_resource(httpserver.url_for("/other.pdf"), health="ok")
    huge = factories.make_resource(httpserver.url_for("/huge.pdf"), health="ok")
    a = factories.make_entry(curriculum, "GPT-4 System Card", resource=right)
    b = factories.make_entry(curriculum, "Chain-of-thought prompting", resource=wrong)
    factories.make_entry(curriculum, "Too Big", resource=huge)
    ids = resources_read_pdf_titles()
    assert sorted(ids) == sorted([right.pk, wrong.pk])
    huge.refresh_from_db()
    assert huge.page_title == ""
    titles_verify(resource_ids=ids, client=None)
    assert TitleCheck.objects.get(entry=a).status == TitleCheck.Status.OK
    assert TitleCheck.objects.get(entry=b).status == TitleCheck.Status.MISMATCH


@pytest.mark.django_db
def test_the_nightly_pdf_check_stamps_when_a_pdf_became_a_wrong_paper(
    fetch_local, httpserver, settings
):
    from curricula.tasks import verify_pdf_titles

    settings.READLIST_PDF_MAX_BYTES = 50_000
    httpserver.expect_request("/other.pdf").respond_with_data(
        pdf_with_metadata("Cooking With Garlic"), content_type="application/pdf"
    )
    wrong = factories.make_resource(httpserver.url_for("/other.pdf"), health="ok")
    entry = factories.make_entry(
        factories.make_curriculum(), "Chain-of-thought prompting", resource=wrong
    )
    day = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with time_machine.travel(day, tick=True):
        assert verify_pdf_titles.apply().get() == {"titled": 1}
    check = TitleCheck.objects.get(entry=entry)
    assert check.status == TitleCheck.Status.MISMATCH
    assert day <= check.flagged_at < day + timedelta(minutes=1)
    # The label corrected to the PDF's own title: the next verdict clears the stamp.
    type(entry).objects.filter(pk=entry.pk).update(title="Cooking With Garlic")
    titles_verify(resource_ids=[wrong.pk], client=None, search=False)
    check.refresh_from_db()
    assert check.status == TitleCheck.Status.OK and check.flagged_at is None


@pytest.mark.django_db
def test_pdfs_without_a_title_rotate_so_every_pdf_gets_tried(fast_checker, httpserver, settings):
    """25 PDFs that give no title, 20 a run: the second run tries the 5 never tried first."""
    import re

    from werkzeug import Response

    settings.READLIST_PDF_MAX_BYTES = 50_000
    httpserver.expect_request(re.compile(r"/doc\d+\.pdf")).respond_with_handler(
        lambda request: Response(b"<html>a login page</html>", content_type="text/html")
    )
    urls = [httpserver.url_for(f"/doc{n}.pdf") for n in range(25)]
    for url in urls:
        factories.make_resource(url, health="ok")
    tried: list[set[str]] = []
    for day in (datetime(2026, 3, 2, 3, tzinfo=UTC), datetime(2026, 3, 3, 3, tzinfo=UTC)):
        httpserver.clear_log()
        with time_machine.travel(day, tick=True):
            assert resources_read_pdf_titles(limit=20) == []
        tried.append({request.path for request, _ in httpserver.log})
    assert len(tried[0]) == 20
    assert len(tried[1]) == 20
    assert tried[0] | tried[1] == {f"/doc{n}.pdf" for n in range(25)}
    assert len(tried[0] & tried[1]) == 15  # the five never tried, then the oldest
