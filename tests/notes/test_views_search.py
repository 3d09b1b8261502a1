"""Search over entries, paper metadata and my own notes (not other people's)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from curricula.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db


def test_search_finds_entries_by_title_authors_and_abstract(client, owner, entries):
    Resource.objects.filter(pk=entries[1].resource_id).update(
        title="Byte pair encoding",
        authors=["Rico Sennrich"],
        abstract="subword units for rare words",
    )
    client.force_login(owner)
    for q in ("Core paper", "Sennrich", "subword units"):
        html = client.get("/search/", {"q": q}).content.decode()
        assert '<h2>Entries and papers <span class="muted">(1)</span></h2>' in html, q


def test_search_covers_my_notes_only(client, owner, member, entries):
    factories.make_note(owner, entries[0], "temperature knobs everywhere")
    factories.make_note(member, entries[1], "temperature secrets", visibility="team")
    client.force_login(owner)
    html = client.get("/search/", {"q": "temperature"}).content.decode()
    assert "temperature knobs" in html and "secrets" not in html


def test_empty_and_overlong_queries(client, owner):
    client.force_login(owner)
    assert client.get("/search/").status_code == 200
    response = client.get("/search/", {"q": "x" * 500})
    assert response.status_code == 422 and "at most 200" in response.content.decode()
    assert client.post("/search/").status_code == 405


def test_search_needs_sign_in(client):
    assert client.get("/search/", {"q": "x"}).status_code == 302


# --- What people type (issue 14 item 7) ------------------------------------------------


@pytest.fixture
def scaling(curriculum):
    paper = factories.make_resource(
        "https://arxiv.org/abs/2001.08361v1",
        title="Scaling Laws for Neural Language Models",
        authors=["Jared Kaplan"],
    )
    chinchilla = factories.make_resource(
        "https://arxiv.org/abs/2203.15556", title="Training Compute-Optimal Large Language Models"
    )
    first = factories.make_entry(curriculum, "Kaplan et al. scaling laws", resource=paper)
    second = factories.make_entry(curriculum, "Compute-optimal training", resource=chinchilla)
    second.alias = "Chinchilla"
    second.save()
    return first, second


def entry_titles(html: str) -> list[str]:
    if "<h2>Entries and papers" not in html:
        return []
    section = html.split("<h2>Entries and papers", 1)[1].split("</section>", 1)[0]
    return re.findall(r'/entries/\d+/">([^<]+)</a>', section)


@pytest.mark.parametrize(
    "q", ["2001.08361", "arXiv:2001.08361v3", "https://arxiv.org/pdf/2001.08361v1", " 2001.08361 "]
)
def test_an_arxiv_id_finds_its_paper(client, owner, scaling, q):
    client.force_login(owner)
    html = client.get("/search/", {"q": q}).content.decode()
    assert entry_titles(html) == ["Kaplan et al. scaling laws"]
    assert "arXiv:2001.08361" in html


@pytest.mark.parametrize("q", ["chinchila", "Chinchila", "compute optimel"])
def test_a_typo_still_finds_the_title(client, owner, scaling, q):
    client.force_login(owner)
    html = client.get("/search/", {"q": q}).content.decode()
    assert entry_titles(html) == ["Compute-optimal training"], q
    assert "spelt alike" in html


def test_nothing_close_is_nothing_said_in_words(client, owner, scaling):
    client.force_login(owner)
    html = client.get("/search/", {"q": "zzyzx quokka"}).content.decode()
    assert "Nothing matches “zzyzx quokka”" in html
    assert "<ol" not in html and "<li" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_teammates_shared_notes_are_found_never_private_ones(
    client, owner, member, outsider, entries
):
    factories.make_team(owner, member)
    factories.make_note(member, entries[0], "temperature shared by a teammate", visibility="team")
    factories.make_note(member, entries[1], "temperature private to the teammate")
    factories.make_note(outsider, entries[2], "temperature shared elsewhere", visibility="team")
    factories.make_note(owner, entries[3], "temperature, my own")
    client.force_login(owner)
    html = client.get("/search/", {"q": "temperature"}).content.decode()
    mine = html.split("<h2>My notes", 1)[1].split("</section>", 1)[0]
    shared = html.split("<h2>Shared by my team", 1)[1].split("</section>", 1)[0]
    assert "temperature, my own" in mine and "teammate" not in mine
    assert "temperature shared by a teammate" in shared and "member" in shared
    assert "private to the teammate" not in html and "shared elsewhere" not in html


def test_snippets_are_text_not_markdown(client, owner, entries):
    body = (
        "## Knob\n\n**Temperature** is the knob; see [the paper](https://example.org/p).\n\n"
        "- `top_p` too\n<b>bold</b> &amp; " + "filler words " * 30
    )
    factories.make_note(owner, entries[0], body)
    client.force_login(owner)
    html = client.get("/search/", {"q": "temperature"}).content.decode()
    section = html.split("<h2>My notes", 1)[1].split("</section>", 1)[0]
    text = section.split('<span class="muted small">', 1)[1].split("</span>", 1)[0]
    assert text.startswith(
        "Knob Temperature is the knob; see the paper. top_p too bold &amp; filler"
    )
    for raw in ("##", "**", "](", "`", "&lt;b&gt;"):
        assert raw not in text


def test_results_show_my_status(client, owner, member, scaling):
    from notes import services

    services.progress_set(actor=owner, entry=scaling[0], status="done")
    services.progress_set(actor=member, entry=scaling[1], status="reading")
    client.force_login(owner)
    html = client.get("/search/", {"q": "scaling"}).content.decode()
    assert '<span class="badge status-done">Done</span>' in html
    html = client.get("/search/", {"q": "compute optimal"}).content.decode()
    assert '<span class="badge status-to_read">To read</span>' in html  # not member's status


def test_search_queries_do_not_grow_with_results(
    client, owner, member, curriculum, django_assert_max_num_queries
):
    factories.make_team(owner, member)
    for i in range(60):
        e = factories.make_entry(curriculum, f"Attention variant {i}")
        factories.make_note(owner if i % 2 else member, e, f"attention {i}", visibility="team")
    client.force_login(owner)
    with django_assert_max_num_queries(8):
        html = client.get("/search/", {"q": "attention"}).content.decode()
    assert len(entry_titles(html)) == 50
    assert (
        len(re.findall(r">attention \d+<", html)) == 60
    )  # 30 notes of mine and 30 of my teammate's


def test_stored_vectors_follow_every_edit(client, owner, scaling):
    """The vectors are kept by the database (triggers on PostgreSQL): an entry renamed, a
    paper's title or abstract fetched anew, an entry relinked and a note rewritten are all
    found by their new words, and no longer by their old ones."""
    first, second = scaling
    client.force_login(owner)

    def titles(q):
        return entry_titles(client.get("/search/", {"q": q}).content.decode())

    first.title = "Kaplan power laws"
    first.save()
    assert titles("power laws") == ["Kaplan power laws"]
    Resource.objects.filter(pk=second.resource_id).update(
        title="Chinchilla paper", abstract="isoflop profiles"
    )
    assert titles("isoflop") == titles("Chinchilla paper") == ["Compute-optimal training"]
    second.resource = first.resource
    second.save()
    assert sorted(titles("neural language")) == ["Compute-optimal training", "Kaplan power laws"]
    note = factories.make_note(owner, first, "about emergence")
    note.body = "about grokking"
    note.save()
    html = client.get("/search/", {"q": "grokking"}).content.decode()
    assert "about grokking" in html
    assert "about emergence" not in client.get("/search/", {"q": "emergence"}).content.decode()


def test_results_link_to_the_entry_and_the_note(client, owner, curriculum, entries):
    """Result links are joined from a prefix reversed once per curriculum: they must still be
    the pages' own URLs."""
    from django.urls import reverse

    note = factories.make_note(owner, entries[0], "temperature knobs everywhere")
    client.force_login(owner)
    html = client.get("/search/", {"q": "Core paper"}).content.decode()
    entry_url = reverse("curricula:entry", args=[curriculum.slug, entries[0].pk])
    assert f'<a href="{entry_url}">Core paper</a>' in html
    html = client.get("/search/", {"q": "temperature"}).content.decode()
    assert f'<a href="{reverse("notes:detail", args=[note.pk])}">' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite matches without ranking")
def test_ranking_takes_the_best_fifty_of_entries_and_papers_alike(client, owner, curriculum):
    """More than 50 matches through the entries' own words and more than 50 through their
    papers' abstracts (ranked in separate branches, 50 each): the page shows the 50 best of
    all, once each, the entry's own words first."""
    best = factories.make_entry(curriculum, "Attention attention attention")
    for i in range(60):
        factories.make_entry(curriculum, f"Attention variant {i}")
        paper = factories.make_resource(title=f"Paper {i}", abstract="sparse attention kernels")
        factories.make_entry(curriculum, f"Distillation {i}", resource=paper)
    client.force_login(owner)
    titles = entry_titles(client.get("/search/", {"q": "attention"}).content.decode())
    assert titles[0] == best.title
    assert len(titles) == len(set(titles)) == 50
    assert not [t for t in titles if t.startswith("Distillation")]
    titles = entry_titles(client.get("/search/", {"q": "sparse kernels"}).content.decode())
    assert len(titles) == 50 and all(t.startswith("Distillation") for t in titles)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite matches without ranking")
def test_entries_found_by_their_papers_follow_those_found_by_their_own_words(
    client, owner, curriculum
):
    """Fewer than 50 entries match by their own words: those matched only through their
    paper's abstract follow them, each once."""
    for i in range(3):
        factories.make_entry(curriculum, f"Sparse kernels {i}")
        paper = factories.make_resource(title=f"Paper {i}", abstract="sparse attention kernels")
        factories.make_entry(curriculum, f"Distillation {i}", resource=paper)
    both = factories.make_resource(title="Paper 9", abstract="sparse kernels")
    factories.make_entry(curriculum, "Sparse kernels, and its paper too", resource=both)
    client.force_login(owner)
    titles = entry_titles(client.get("/search/", {"q": "sparse kernels"}).content.decode())
    assert len(titles) == len(set(titles)) == 7
    assert sorted(titles[:4]) == [
        "Sparse kernels 0",
        "Sparse kernels 1",
        "Sparse kernels 2",
        "Sparse kernels, and its paper too",
    ]
    assert sorted(titles[4:]) == ["Distillation 0", "Distillation 1", "Distillation 2"]


def test_a_plain_link_shows_my_status_by_the_entry(client, owner, member, curriculum):
    """An entry with no paper keeps its status on the entry itself: read with the results,
    mine and not a teammate's."""
    from notes import services

    link = factories.make_entry(curriculum, "Zeugma blog post", resource=None)
    other = factories.make_entry(curriculum, "Zeugma lecture", resource=None)
    services.progress_set(actor=owner, entry=link, status="reading")
    services.progress_set(actor=member, entry=other, status="done")
    client.force_login(owner)
    html = client.get("/search/", {"q": "zeugma"}).content.decode()
    assert 'Zeugma blog post</a> <span class="badge status-reading">Reading</span>' in html
    assert 'Zeugma lecture</a> <span class="badge status-to_read">To read</span>' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite matches without ranking")
@pytest.mark.parametrize("by", ["titles", "own words", "papers"])
def test_the_best_match_is_found_wherever_it_is_stored(client, owner, curriculum, by):
    """Every match is ranked, however many there are: with 1,200 matches, the best one, stored
    last, comes first (the ranking once read only the first 500 found), in each tier: by the
    title, by the entry's other words (its why), and only through its paper (all alike there,
    so the first in the list's order)."""
    from curricula.models import Entry

    many = 1200
    papers = [None] * (many + 1)
    if by == "papers":
        papers = Resource.objects.bulk_create(
            Resource(url=f"https://example.org/p/{i}", title=f"P {i}", abstract="zeugma")
            for i in range(many + 1)
        )
    Entry.objects.bulk_create(
        Entry(
            curriculum=curriculum,
            title={"titles": f"Zeugma {i}", "own words": f"Plain {i}"}.get(by, f"Linked {i}"),
            why="zeugma" if by == "own words" else "",
            resource=papers[i],
            position=100 + i,
        )
        for i in range(many)
    )
    best = Entry.objects.create(
        curriculum=curriculum,
        title={"titles": "Zeugma, twice zeugma", "own words": "Plain best"}.get(by, "Linked best"),
        why="zeugma, zeugma and zeugma" if by == "own words" else "",
        resource=papers[many],
        position=0 if by == "papers" else 100 + many,
    )
    client.force_login(owner)
    html = client.get("/search/", {"q": "zeugma"}).content.decode()
    titles = entry_titles(html)
    assert len(titles) == len(set(titles)) == 50
    assert titles[0] == best.title
    assert "More than" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite matches without ranking")
def test_entries_whose_titles_have_the_words_come_first(client, owner, curriculum):
    """An entry whose title (or alias) has every word ranks above one that has them only in its
    other words, however often: "why" texts repeat a list's vocabulary. A title match must
    still match as a whole: a word excluded with "-" in the why excludes the entry."""
    titled = factories.make_entry(curriculum, "Zeugma")
    aliased = factories.make_entry(curriculum, "Figures of speech")
    aliased.alias = "zeugma"
    aliased.save()
    repeated = factories.make_entry(curriculum, "Rhetoric")
    repeated.why = "zeugma, zeugma and zeugma again"
    repeated.save()
    excluded = factories.make_entry(curriculum, "Zeugma and syllepsis")
    excluded.why = "a yoking"
    excluded.save()
    client.force_login(owner)
    titles = entry_titles(client.get("/search/", {"q": "zeugma"}).content.decode())
    assert sorted(titles[:3]) == sorted([titled.title, aliased.title, excluded.title])
    assert titles[3:] == [repeated.title]
    titles = entry_titles(client.get("/search/", {"q": "zeugma -yoking"}).content.decode())
    assert excluded.title not in titles and len(titles) == 3
