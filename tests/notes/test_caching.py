"""Bytes: HTML is gzipped; personal pages are private and revalidate to a 304 when unchanged."""

from __future__ import annotations

import gzip

import pytest

from notes import services

pytestmark = pytest.mark.django_db


def test_personal_pages_are_private_and_a_revisit_is_a_304(client, owner, curriculum, entries):
    client.force_login(owner)
    first = client.get("/curricula/mini/")
    assert first.status_code == 200
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    etag = first["ETag"]
    # Every render masks the CSRF token afresh; the page is still the same page.
    again = client.get("/curricula/mini/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    services.progress_set(actor=owner, entry=entries[0], status="done")
    changed = client.get("/curricula/mini/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_another_persons_etag_gets_the_full_page(client, owner, member, curriculum, entries):
    client.force_login(owner)
    etag = client.get("/").get("ETag")
    client.force_login(member)
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_anonymous_pages_and_writes_are_left_alone(client, owner, entries):
    assert not client.get("/").has_header("ETag")
    client.force_login(owner)
    response = client.post(f"/entries/{entries[0].pk}/status", {"status": "done"})
    assert response.status_code == 302 and not response.has_header("ETag")


def test_html_is_gzipped_with_a_weak_etag(client, owner, curriculum, entries):
    client.force_login(owner)
    plain = client.get("/curricula/mini/")
    packed = client.get("/curricula/mini/", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert packed["ETag"].startswith('W/"')
    body = gzip.decompress(packed.content)
    assert b"Core paper" in body and len(packed.content) < len(body) / 2
    assert not plain.has_header("Content-Encoding")
    assert (
        client.get(
            "/curricula/mini/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]
        ).status_code
        == 304
    )


def test_static_files_get_brotli_beside_gzip():
    """whitenoise writes .br files at collectstatic when the brotli package is there."""
    from whitenoise.compress import Compressor

    assert Compressor(quiet=True).use_brotli


def test_the_etag_ignores_masked_tokens_and_nothing_else():
    from readlist.caching import without_tokens

    def page(token_a: str, token_b: str, text: str = "x") -> bytes:
        return (
            f'<body hx-headers=\'{{"X-CSRFToken": "{token_a}"}}\'><form>'
            f'<input name="csrfmiddlewaretoken" value="{token_b}">{text}</form>'
            f'<p>csrfmiddlewaretoken" value="short</p>'
        ).encode()

    a, b, c = "A" * 64, "b1" * 32, "Z9" * 32
    assert without_tokens(page(a, b)) == without_tokens(page(c, a))
    assert b"A" * 64 not in without_tokens(page(a, b))
    # A marker followed by something other than a token keeps it; a change of text shows.
    assert b'value="short' in without_tokens(page(a, b))
    assert without_tokens(page(a, b, "x")) != without_tokens(page(a, b, "y"))
