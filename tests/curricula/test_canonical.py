"""The URL canonicaliser: one spelling per resource, whatever way a seed wrote it."""

from __future__ import annotations

import pytest

from curricula.canonical import CanonicalURL, InvalidURL, canonicalize, guess_kind

ARXIV = "https://arxiv.org/abs/2405.09673"


@pytest.mark.parametrize(
    ("raw", "url", "arxiv_id", "version"),
    [
        ("https://arxiv.org/abs/2405.09673", ARXIV, "2405.09673", None),
        ("http://arxiv.org/abs/2405.09673", ARXIV, "2405.09673", None),
        ("https://www.arxiv.org/abs/2405.09673", ARXIV, "2405.09673", None),
        ("http://www.arxiv.org/abs/2405.09673#", ARXIV, "2405.09673", None),
        ("https://arxiv.org/abs/2405.09673v2", ARXIV, "2405.09673", 2),
        ("https://arxiv.org/pdf/2405.09673", ARXIV, "2405.09673", None),
        ("https://arxiv.org/pdf/2405.09673v1", ARXIV, "2405.09673", 1),
        ("arxiv.org/pdf/2405.09673v1", ARXIV, "2405.09673", 1),
        ("https://arxiv.org/abs/arXiv:2405.09673", ARXIV, "2405.09673", None),
        ("https://browse.arxiv.org/abs/2405.09673v2", ARXIV, "2405.09673", 2),
        ("https://arxiv.org/pdf/2405.09673v1.pdf", ARXIV, "2405.09673", 1),
        ("https://arxiv.org/pdf/2405.09673.pdf", ARXIV, "2405.09673", None),
        ("https://www.arxiv.org/pdf/2405.09673/", ARXIV, "2405.09673", None),
        ("https://arxiv.org/html/2405.09673v3", ARXIV, "2405.09673", 3),
        ("https://arxiv.org/abs/2405.09673?context=cs.LG", ARXIV, "2405.09673", None),
        ("https://export.arxiv.org/abs/2405.09673", ARXIV, "2405.09673", None),
        ("HTTPS://ARXIV.ORG/abs/2405.09673", ARXIV, "2405.09673", None),
        ("https://arxiv.org/abs/0704.0001", "https://arxiv.org/abs/0704.0001", "0704.0001", None),
        (
            "http://arxiv.org/abs/hep-th/9901001",
            "https://arxiv.org/abs/hep-th/9901001",
            "hep-th/9901001",
            None,
        ),
        (
            "https://arxiv.org/pdf/hep-th/9901001v2.pdf",
            "https://arxiv.org/abs/hep-th/9901001",
            "hep-th/9901001",
            2,
        ),
        (
            "https://arxiv.org/abs/math.gt/0309136",
            "https://arxiv.org/abs/math.GT/0309136",
            "math.GT/0309136",
            None,
        ),
    ],
)
def test_arxiv_spellings_become_the_abs_url_with_the_version_apart(raw, url, arxiv_id, version):
    result = canonicalize(raw)
    assert result == CanonicalURL(url, arxiv_id=arxiv_id, arxiv_version=version)


def test_the_two_spellings_from_the_issue_are_one_resource():
    assert (
        canonicalize("arxiv.org/pdf/2405.09673v1").url
        == canonicalize("http://www.arxiv.org/abs/2405.09673#").url
    )


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        (
            "https://www.youtube.com/watch?v=aircAruvnKk&t=0s",
            "https://www.youtube.com/watch?v=aircAruvnKk",
        ),
        (
            "https://www.youtube.com/watch?v=Ilg3gGewQ5U&list=PLZHQObOWTQDNU6R1_67000Dx_ZCJB-3pi&index=4",
            "https://www.youtube.com/watch?v=Ilg3gGewQ5U",
        ),
        (
            "https://youtube.com/watch?feature=share&v=EvQ3ncuriCM",
            "https://www.youtube.com/watch?v=EvQ3ncuriCM",
        ),
        ("http://m.youtube.com/watch?v=EvQ3ncuriCM", "https://www.youtube.com/watch?v=EvQ3ncuriCM"),
        ("https://youtu.be/EvQ3ncuriCM?t=42", "https://www.youtube.com/watch?v=EvQ3ncuriCM"),
        (
            "https://www.youtube.com/embed/EvQ3ncuriCM",
            "https://www.youtube.com/watch?v=EvQ3ncuriCM",
        ),
        (
            "https://www.youtube.com/shorts/EvQ3ncuriCM",
            "https://www.youtube.com/watch?v=EvQ3ncuriCM",
        ),
    ],
)
def test_youtube_links_keep_only_the_video_id(raw, url):
    assert canonicalize(raw).url == url


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        # Tracking parameters go; the site's own parameters stay, as written and in order.
        ("https://example.org/a?utm_source=x&utm_medium=y&id=3", "https://example.org/a?id=3"),
        ("https://example.org/a?b=2&fbclid=abc&a=1", "https://example.org/a?b=2&a=1"),
        ("https://example.org/a?gclid=1&UTM_Campaign=2", "https://example.org/a"),
        ("https://example.org/search?q=a+b&flag", "https://example.org/search?q=a+b&flag"),
        ("https://openreview.net/pdf?id=RveSp5oESA", "https://openreview.net/pdf?id=RveSp5oESA"),
        # Fragments go, default ports go, other ports stay.
        ("https://example.org/post#section-2", "https://example.org/post"),
        ("http://example.org:80/x", "http://example.org/x"),
        ("https://example.org:443/x", "https://example.org/x"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        # Hosts are lower-cased; paths keep their case.
        ("https://Example.ORG/CaseSensitive/Path", "https://example.org/CaseSensitive/Path"),
        ("https://example.org./x", "https://example.org/x"),
        ("https://example.org", "https://example.org/"),
        ("https://user:secret@example.org/x", "https://example.org/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("  https://example.org/padded  ", "https://example.org/padded"),
        # Scheme is kept: not every site serves https.
        (
            "http://www.incompleteideas.net/IncIdeas/BitterLesson.html",
            "http://www.incompleteideas.net/IncIdeas/BitterLesson.html",
        ),
    ],
)
def test_generic_links_lose_tracking_fragments_and_default_ports(raw, url):
    assert canonicalize(raw).url == url


def test_doi_links_carry_their_doi():
    result = canonicalize("http://dx.doi.org/10.1038/s41586-023-06747-5")
    assert result.url == "https://doi.org/10.1038/s41586-023-06747-5"
    assert result.doi == "10.1038/s41586-023-06747-5"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "mailto:someone@example.org",
        "ftp://example.org/file",
        "#fundamentals",
        "/relative/path",
        "https://",
        "https://example.org:notaport/",
        "https://exa mple.org/",
    ],
)
def test_anything_but_an_absolute_http_url_is_refused(raw):
    with pytest.raises(InvalidURL):
        canonicalize(raw)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("https://arxiv.org/abs/2305.18290", "paper"),
        ("https://doi.org/10.1038/s41586-023-06747-5", "paper"),
        ("https://www.youtube.com/watch?v=aircAruvnKk", "video"),
        ("https://github.com/princeton-pli/MeCo", "repo"),
        ("https://x.com/ramealexandre/status/1805525340699185493", "thread"),
        ("https://pytorch.org/docs/stable/checkpoint.html", "docs"),
        ("https://lilianweng.github.io/posts/2023-03-15-rlhf/", "blog"),
        ("https://www.cs.princeton.edu/~arora/pubs/reading.pdf", "paper"),
        ("https://rlhfbook.com/", "other"),
    ],
)
def test_kind_is_guessed_from_the_url(raw, kind):
    assert guess_kind(canonicalize(raw)) == kind


@pytest.mark.parametrize(
    ("raw", "url", "arxiv_id", "version"),
    [
        ("https://www.alphaxiv.org/abs/2405.09673", "https://www.alphaxiv.org/abs/2405.09673",
         "2405.09673", None),
        ("https://alphaxiv.org/abs/2405.09673v3", "https://www.alphaxiv.org/abs/2405.09673",
         "2405.09673", 3),
        ("https://www.alphaxiv.org/overview/2405.09673v1",
         "https://www.alphaxiv.org/overview/2405.09673", "2405.09673", 1),
        ("alphaxiv.org/pdf/2405.09673v2.pdf", "https://www.alphaxiv.org/pdf/2405.09673",
         "2405.09673", 2),
        ("https://www.alphaxiv.org/abs/hep-th/9901001", "https://www.alphaxiv.org/abs/hep-th/9901001",
         "hep-th/9901001", None),
    ],
)  # fmt: skip
def test_alphaxiv_pages_stay_on_alphaxiv_but_carry_the_arxiv_paper(raw, url, arxiv_id, version):
    canonical = canonicalize(raw)
    assert (canonical.url, canonical.arxiv_id, canonical.arxiv_version) == (url, arxiv_id, version)
    assert guess_kind(canonical) == "paper"


def test_an_alphaxiv_page_that_is_not_a_paper_is_a_plain_link():
    canonical = canonicalize("https://www.alphaxiv.org/explore?sort=hot")
    assert canonical.arxiv_id == ""
