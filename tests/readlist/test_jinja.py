"""The Jinja2 environment's filters write what Django's filters of the same name write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines

MIDNIGHT_UTC = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)


def jinja(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def django(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York"])
def test_dates_and_times_are_django_s_in_the_site_time_zone(settings, zone):
    settings.TIME_ZONE = zone
    assert jinja('{{ v|date("j M Y") }}', v=MIDNIGHT_UTC) == django(
        '{{ v|date:"j M Y" }}', v=MIDNIGHT_UTC
    )
    assert jinja('{{ v|time("H:i") }}', v=MIDNIGHT_UTC) == django(
        '{{ v|time:"H:i" }}', v=MIDNIGHT_UTC
    )


def test_linebreaksbr_escapes_then_breaks_lines():
    text = "line <one> & 'two'\r\nline three\n"
    got = jinja("{{ v|linebreaksbr }}", v=text)
    assert got == "line &lt;one&gt; &amp; &#x27;two&#x27;<br>line three<br>"
    assert got == django("{{ v|linebreaksbr }}", v=text)
