"""CSV cells that a spreadsheet would run are quoted; SVG charts escape their text."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from teams import charts
from teams.exports import safe_cell, to_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+41 555", "'+41 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_to_csv_quotes_and_escapes():
    text = to_csv(["a", "b"], [['=HYPERLINK("x")', "with, comma"]])
    assert text == 'a,b\r\n"\'=HYPERLINK(""x"")","with, comma"\r\n'


def test_heatmap_escapes_names_and_describes_itself():
    svg = charts.heatmap(
        [("<script>x</script>", [(1, 2), (0, 0)])], ["Tier 1", "Tier 2"], title="T & T"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title id=" in svg and "T &amp; T" in svg
    assert "1 person by 2 tiers; 0 of 1 person-tiers complete" in svg
    assert "Tier 1: 1 of 2 (50%)" in svg and "nothing required" in svg


def test_heatmap_cells_use_the_swatch_of_their_share():
    svg = charts.heatmap(
        [("Ann", [(1, 2), (2, 2), (0, 3)]), ("Bob", [(1, 2), (0, 0), (0, 3)])],
        ["T1", "T2", "T3"],
        title="Team",
    )
    swatch = dict(re.findall(r'<rect id="([^"]+)"[^>]* fill="(#[0-9a-f]{6})"', svg))
    cells = re.findall(r"<title>(\w+), (T\d): ([^<]+)</title><use href=\"#([^\"]+)\"", svg)
    shade = {(who, tier): (text, swatch[ref]) for who, tier, text, ref in cells}
    assert len(shade) == 6 and "2 people by 3 tiers" in svg
    assert shade[("Ann", "T1")] == shade[("Bob", "T1")] == ("1 of 2 (50%)", "#4caf64")
    assert shade[("Ann", "T2")] == ("2 of 2 (100%)", "#116329")
    assert shade[("Ann", "T3")] == ("0 of 3 (0%)", "#eef1f4")
    assert shade[("Bob", "T2")] == ("nothing required", "#ffffff")
    # Every swatch is defined once and belongs to this chart alone.
    assert len(swatch) == len(set(swatch)) and all(ref.startswith("chart-") for ref in swatch)


def test_cumulative_chart_says_where_it_ends():
    series = [(dt.date(2026, 11, 2), 0), (dt.date(2026, 11, 9), 3), (dt.date(2026, 11, 16), 7)]
    svg = charts.cumulative(series, title="Team")
    assert "7 entries done by the week of 16 Nov 2026" in svg
    assert svg.count("<circle") == 3
    assert "Nothing has been read yet." in charts.cumulative([], title="Empty")
