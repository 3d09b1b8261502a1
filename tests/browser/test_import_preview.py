"""The admin's preview of the current Elicit list imported over the shipped one, in a browser."""

from __future__ import annotations

import pytest

from curricula.models import Entry
from curricula.services import curriculum_import
from tests import factories
from tests.curricula.test_importer_elicit_revision import SHIPPED, _work, current_elicit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def test_the_elicit_revision_preview_names_whose_work_each_change_touches(
    browser, live_server, screenshots, tmp_path
):
    from playwright.sync_api import expect

    curriculum_import(actor=None, text=SHIPPED.read_text(encoding="utf-8"), slug="elicit")
    _work(Entry.objects.filter(curriculum__slug="elicit"))
    factories.make_user("root", password=PASSWORD, is_staff=True, is_superuser=True)
    source = tmp_path / "elicit.md"
    source.write_text(current_elicit(), encoding="utf-8")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/curricula/curriculum/import/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/curricula/curriculum/import/")
    page.set_input_files("input[name=file]", str(source))
    page.fill("input[name=slug]", "elicit")
    page.get_by_role("button", name="Preview changes").click()

    retired = page.locator("#import-retired")
    expect(retired).to_have_attribute("open", "")
    expect(retired.locator("summary")).to_contain_text(": 2")
    expect(retired).to_contain_text("3 people: 3 finished, 3 wrote notes")
    relinked = page.locator("#import-relinked")
    expect(relinked.locator("summary")).to_contain_text(": 2")
    expect(relinked).to_contain_text("https://openreview.net/forum?id=nZeVKeeFYf9")
    expect(page.locator("#import-added summary")).to_contain_text(": 2")
    expect(page.locator("#import-keep-work")).to_contain_text("(3 people)")
    expect(page.get_by_role("button", name="Confirm import")).to_be_visible()
    changed = page.locator("#import-changed")
    expect(changed.locator("summary")).to_contain_text(": 38")  # the ✨ legend's new date
    changed.locator("summary").click()
    expect(changed).to_contain_text("date added")
    page.screenshot(path=str(screenshots / "issue12-elicit-preview.png"), full_page=True)
    assert Entry.objects.filter(curriculum__slug="elicit", retired_in__isnull=False).count() == 0
