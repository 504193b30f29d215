"""Status colours and shapes of the charts: the site's colours, readable, never alone."""

import re
from pathlib import Path

from dashboards import charts
from practices.models import AdoptionStatus
from practices.templatetags.practice_tags import status_label, status_symbol

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


STATUSES = [*AdoptionStatus.values, None]


def test_fills_are_the_sites_status_colours():
    css = SITE_CSS.read_text()
    for status in STATUSES:
        code = status or "none"
        bg = re.search(rf"--s-{code}-bg:\s*(#[0-9a-f]{{6}})", css).group(1)
        fg = re.search(rf"--s-{code}-fg:\s*(#[0-9a-f]{{6}})", css).group(1)
        assert charts.STATUS_COLORS[status] == {"fill": bg, "fg": fg}, code


def test_text_on_each_fill_passes_contrast():
    for status in STATUSES:
        colours = charts.STATUS_COLORS[status]
        assert contrast(colours["fill"], colours["fg"]) >= 4.5, status


def test_marks_stand_out_from_the_white_background():
    # WCAG 1.4.11: a mark's edge at 3:1 or more, by its fill or by the outline every mark has.
    assert contrast(charts.MARK_STROKE, "#ffffff") >= 3
    for status in AdoptionStatus.values:
        fill = charts.STATUS_COLORS[status]["fill"]
        assert contrast(fill, "#ffffff") >= 3 or contrast(fill, charts.MARK_STROKE) >= 3


def test_each_status_has_its_own_shape_and_words():
    shapes = [charts.STATUS_SHAPES[s] for s in STATUSES]
    assert len(set(shapes)) == len(shapes)
    for status in STATUSES:
        assert charts.status_text(status) == f"{status_symbol(status)} {status_label(status)}"


def test_status_encoding_gives_colour_and_shape_one_legend():
    encoding = charts.status_encoding("tt", "Trạng thái", include_none=True)
    domain = [charts.status_text(s) for s in [*charts.STATUS_ORDER, None]]
    assert encoding["color"]["scale"]["domain"] == domain
    assert encoding["shape"]["scale"]["domain"] == domain
    assert encoding["color"]["scale"]["range"][0] == charts.STATUS_COLORS["adopted"]["fill"]
    assert encoding["shape"]["scale"]["range"][-1] == charts.STATUS_SHAPES[None]
    assert encoding["color"]["title"] == encoding["shape"]["title"] == "Trạng thái"
