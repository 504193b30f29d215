"""The one chart pipeline: a Vega-Lite spec made in Python, drawn three ways.

A `Chart` holds a Vega-Lite spec (a dict, its data inline as `values`) and the same data as a
table. From it come:

- the browser's interactive chart: `{% include "dashboards/_chart.html" with chart=chart %}`
  puts the spec in the page with `json_script`, and `static/js/charts.js` draws it with
  vega-embed (expressions interpreted, never compiled: the site's CSP forbids `eval`);
- an SVG rendered on the server by vl-convert-python, inline in the same include (for readers
  without JavaScript and for print) and at `/bieu-do/<name>.svg` (with the title), and a PNG
  of it at `/bieu-do/<name>.png` (social images);
- the table under the chart, and a CSV at `/bieu-do/<name>.csv` (UTF-8 with a BOM so that
  Excel reads the Vietnamese, every cell formula-safe).

Vega (6.2), Vega-Lite (6.4) and vega-embed (7.0) in `static/vendor/` are the versions that
vl-convert bundles, so both drawings come from the same code (`VEGA_LITE_VERSION`).

A chart that can be downloaded is registered under a name, with a builder that makes it from
the page's parameters (strings, e.g. `{"giai-phap": "…", "ngay": "2025-07-01"}`)::

    from dashboards import charts

    @charts.register("practice-curve", params=("giai-phap", "ngay"))
    def practice_curve(params):
        practice = …  # from params["giai-phap"]; raise charts.BadParams("…") if it is wrong
        return charts.Chart(title=…, description=…, spec=…, columns=[…], rows=[…])

`charts.build(name, params)` gives the chart with its `name` and `params` set, so that its
download links rebuild it; `{% registered_chart "practice-curve" giai_phap=page.slug %}`
(`dashboards_tags`) builds and includes it in one line. Registering modules: any
`dashboards/charts_*.py` and any app's `charts.py` are imported at start-up.

Status colours and shapes: `status_text`, `status_encoding`, `status_color_scale`,
`status_shape_scale` (the site's status colours and symbols, never colour alone).
"""

import csv
import hashlib
import html
import io
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from dashboards import cache as dashboard_cache
from practices.models import STATUS_RANK, AdoptionStatus
from practices.resources.formulas import neutralise
from practices.templatetags.practice_tags import (
    NONE_LABEL,
    NONE_SYMBOL,
    STATUS_LABELS,
    STATUS_SYMBOLS,
)

logger = logging.getLogger(__name__)

# The Vega-Lite that vl-convert renders with, and the one vendored for the browser
# (scripts/vendor-js.sh): the same major and minor, so the two pictures agree.
VEGA_LITE_VERSION = "6.4"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.json"
FORMATS = ("svg", "png", "csv")
# A drawing is cached under its spec's hash, so it is never stale; this only bounds memory.
RENDER_CACHE_SECONDS = 24 * 3600

FONT = "Noto Sans, Segoe UI, DejaVu Sans, Arial, sans-serif"
TEXT = "#1a1d21"  # --c-text
MUTED = "#4f5866"  # --c-muted, 7.0:1 on white
GRID = "#cfd5dd"  # --c-border

# d3's Vietnamese formats: 1.234,5 and dd/mm/yyyy, month names in Vietnamese. In the spec's
# config, so that the browser and vl-convert format alike.
LOCALE = {
    "number": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0₫"],
        "percent": "\u00a0%",
    },
    "time": {
        "dateTime": "%A, %d/%m/%Y %H:%M:%S",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"tháng {m}" for m in range(1, 13)],
        "shortMonths": [f"Th{m}" for m in range(1, 13)],
    },
}

CONFIG = {
    "locale": LOCALE,
    # No ARIA labels made by Vega: it writes them in English ("X-axis titled …"). The
    # figure's caption and the table under the chart say it in Vietnamese.
    "aria": False,
    "font": FONT,
    "background": "#ffffff",
    "view": {"stroke": None},
    "mark": {"aria": False},
    "title": {
        "aria": False,
        "color": TEXT,
        "subtitleColor": MUTED,
        "fontSize": 16,
        "anchor": "start",
    },
    "axis": {
        "labelColor": TEXT,
        "titleColor": TEXT,
        "labelFontSize": 12,
        "titleFontSize": 12,
        "gridColor": GRID,
        "domainColor": MUTED,
        "tickColor": MUTED,
    },
    "legend": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "titleFontSize": 12},
    "header": {"labelColor": TEXT, "titleColor": TEXT},
    "text": {"color": TEXT, "fontSize": 12},
}

# --- Statuses ---------------------------------------------------------------------------------
# The fills are the site's status colours (static/css/site.css, --s-*-bg), so a chart reads like
# the badges and the matrix; `fg` is the text colour on that fill (contrast >= 4.5:1). Marks
# carry a dark outline (MARK_STROKE): planned's amber alone is too light on white. Shapes follow
# the symbols the site shows beside each status (practice_tags.STATUS_SYMBOLS).
STATUS_COLORS = {
    AdoptionStatus.ADOPTED: {"fill": "#1b5e20", "fg": "#ffffff"},
    AdoptionStatus.PILOTING: {"fill": "#0d47a1", "fg": "#ffffff"},
    AdoptionStatus.PLANNED: {"fill": "#f5b400", "fg": "#1a1d21"},
    AdoptionStatus.DISCONTINUED: {"fill": "#5f6368", "fg": "#ffffff"},
    None: {"fill": "#eef0f3", "fg": "#4f5866"},
}
MARK_STROKE = TEXT
# Vega shapes (https://vega.github.io/vega/docs/marks/symbol/) or SVG paths in a unit square.
STATUS_SHAPES = {
    AdoptionStatus.ADOPTED: "circle",  # ✓: a filled dot, the strongest mark
    AdoptionStatus.PILOTING: "diamond",  # ◐
    AdoptionStatus.PLANNED: "triangle-up",  # ○
    # ✕ as a path: Vega's own "cross" is a plus sign.
    AdoptionStatus.DISCONTINUED: (
        "M-1,-0.6L-0.6,-1L0,-0.4L0.6,-1L1,-0.6L0.4,0L1,0.6L0.6,1L0,0.4L-0.6,1L-1,0.6L-0.4,0Z"
    ),
    None: "square",
}
# Furthest stage first, as the site's legends list them.
STATUS_ORDER = sorted(STATUS_RANK, key=STATUS_RANK.get, reverse=True)


def status_text(status):
    """A status as charts and tables write it: its symbol and its label ("✓ Đã áp dụng");
    None (no record) is "– Chưa ghi nhận"."""
    if status in STATUS_LABELS:
        return f"{STATUS_SYMBOLS[status]} {STATUS_LABELS[status]}"
    return f"{NONE_SYMBOL} {NONE_LABEL}"


def _statuses(statuses, include_none):
    chosen = list(statuses) if statuses is not None else list(STATUS_ORDER)
    if include_none and None not in chosen:
        chosen.append(None)
    return chosen


def status_color_scale(statuses=None, include_none=False):
    """A Vega-Lite `scale` mapping `status_text` values to the status fills."""
    chosen = _statuses(statuses, include_none)
    return {
        "domain": [status_text(s) for s in chosen],
        "range": [STATUS_COLORS[s]["fill"] for s in chosen],
    }


def status_text_color_scale(statuses=None, include_none=False):
    """The same domain mapped to the colour of text drawn on each fill."""
    chosen = _statuses(statuses, include_none)
    return {
        "domain": [status_text(s) for s in chosen],
        "range": [STATUS_COLORS[s]["fg"] for s in chosen],
    }


def status_shape_scale(statuses=None, include_none=False):
    """The same domain mapped to the status shapes (for points and legends)."""
    chosen = _statuses(statuses, include_none)
    return {
        "domain": [status_text(s) for s in chosen],
        "range": [STATUS_SHAPES[s] for s in chosen],
    }


def status_encoding(field="trang_thai", title="Trạng thái", statuses=None, include_none=False):
    """`color` and `shape` channels for a field holding `status_text` values: one legend
    whose entries show the colour, the shape and the words."""
    legend = {"title": title, "symbolStrokeColor": MARK_STROKE, "symbolStrokeWidth": 1}
    return {
        "color": {
            "field": field,
            "type": "nominal",
            "title": title,
            "scale": status_color_scale(statuses, include_none),
            "legend": legend,
        },
        "shape": {
            "field": field,
            "type": "nominal",
            "title": title,
            "scale": status_shape_scale(statuses, include_none),
            "legend": legend,
        },
    }


# --- The chart --------------------------------------------------------------------------------


class BadParams(ValueError):
    """A builder's parameters are wrong; the message (Vietnamese) is shown to the reader."""


@dataclass
class Chart:
    """One chart: what it shows (`spec`, Vega-Lite, data inline as `values`) and the same
    data as a table (`columns`: Vietnamese headers; `rows`: lists of cells, in order).

    `title` and `description` are the figure's caption on a page and the title and subtitle
    of a downloaded image; the description says what is counted and out of what, in words
    ("Tỉ lệ trên 34 tỉnh, thành phố tồn tại vào từng ngày; trước 01/07/2025 trên 63").
    `name` and `params` are set by `build` for a registered chart (the download links)."""

    title: str
    description: str
    spec: dict
    columns: list
    rows: list
    name: str = ""
    params: dict = field(default_factory=dict)

    # The spec, as each output draws it.

    def page_spec(self):
        """For the page: no title (the figure's caption has it); the description is the
        chart's accessible description."""
        spec = {"$schema": SCHEMA, **self.spec}
        spec.setdefault("description", f"{self.title}. {self.description}")
        spec["config"] = _merge(CONFIG, self.spec.get("config", {}))
        return spec

    def standalone_spec(self):
        """For a file read on its own (SVG and PNG downloads, social images): with the title
        and the description as subtitle."""
        spec = self.page_spec()
        spec["title"] = {"text": self.title, "subtitle": self.description, "aria": False}
        return spec

    # The outputs.

    def svg(self):
        """The page's picture: server-rendered SVG, safe to put inline (see `_inline`)."""
        return mark_safe(_inline(render_svg(self.page_spec()), self.dom_id))  # noqa: S308

    def standalone_svg(self):
        return render_svg(self.standalone_spec())

    def png(self):
        return render_png(self.standalone_spec())

    def csv(self):
        """UTF-8 with a BOM, every cell quoted and formula-safe (practices.resources.formulas)."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow([neutralise(str(c)) for c in self.columns])
        for row in self.rows:
            writer.writerow([neutralise(_csv_cell(value)) for value in row])
        return out.getvalue()

    # For the template.

    @property
    def spec_id(self):
        return f"{self.dom_id}-spec"

    @property
    def dom_id(self):
        """`bieu-do-<name>`; with parameters, a short hash of them too, so that one chart
        shown twice on a page for two sets of parameters keeps two ids."""
        if not self.name:
            return f"bieu-do-{hashlib.sha256(self.title.encode()).hexdigest()[:8]}"
        if not self.params:
            return f"bieu-do-{self.name}"
        digest = hashlib.sha256(urlencode(sorted(self.params.items())).encode()).hexdigest()
        return f"bieu-do-{self.name}-{digest[:6]}"

    def url(self, fmt):
        """The download address of this chart in `fmt` ("" for an unregistered chart)."""
        if not self.name:
            return ""
        address = reverse("dashboards:chart", kwargs={"name": self.name, "fmt": fmt})
        return f"{address}?{urlencode(self.params)}" if self.params else address

    @property
    def svg_url(self):
        return self.url("svg")

    @property
    def png_url(self):
        return self.url("png")

    @property
    def csv_url(self):
        return self.url("csv")

    @property
    def table_rows(self):
        """Each row's cells as (text, numeric) for the table: numbers align right."""
        return [
            [(_cell(v), isinstance(v, int | float) and not isinstance(v, bool)) for v in row]
            for row in self.rows
        ]

    @cached_property
    def table_body(self):
        """The table's rows as HTML, each cell escaped: written here rather than as a loop in
        the template, which spends a second on the overview's tens of thousands of cells. A
        table repeats its values (the practices, the days), so each is written once."""
        written = {}

        def cell(value, first):
            key = (first, value.__class__, value)
            try:
                return written[key]
            except KeyError:
                pass
            except TypeError:  # an unhashable value: written each time
                key = None
            text = html.escape(_cell(value))
            if first:
                found = f'<th scope="row">{text}</th>'
            elif isinstance(value, int | float) and not isinstance(value, bool):
                found = f'<td class="num">{text}</td>'
            else:
                found = f"<td>{text}</td>"
            if key is not None:
                written[key] = found
            return found

        rows = [
            f"<tr>{''.join([cell(row[0], True), *(cell(value, False) for value in row[1:])])}</tr>"
            for row in self.rows
            if row
        ]
        if not rows:
            rows.append(f'<tr><td colspan="{len(self.columns)}">Chưa có số liệu.</td></tr>')
        return mark_safe("\n".join(rows))  # noqa: S308 (every cell is escaped above)


def _cell(value):
    """A table cell as a Vietnamese reader writes it: 1.234; 12,5; 01/07/2025."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        whole, _, fraction = f"{value:,.10g}".partition(".")
        whole = whole.replace(",", ".")
        return f"{whole},{fraction}" if fraction else whole
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _csv_cell(value):
    """A CSV cell as programs read it: 1234; 12.5; 2025-07-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _merge(base, extra):
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --- Server rendering (vl-convert), cached by the spec -----------------------------------------


def _spec_key(kind, spec):
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{VEGA_LITE_VERSION}:{text}".encode()).hexdigest()
    return f"charts:{kind}:{digest}"


def _vl_convert():
    # Imported here: a 90 MB native module that only chart outputs need.
    import vl_convert

    return vl_convert


def render_svg(spec):
    """The SVG of a Vega-Lite spec, from the cache when the same spec was drawn before."""
    return cache.get_or_set(
        _spec_key("svg", spec),
        lambda: _vl_convert().vegalite_to_svg(
            json.loads(json.dumps(spec, default=str)), vl_version=VEGA_LITE_VERSION
        ),
        RENDER_CACHE_SECONDS,
    )


def render_png(spec, scale=2):
    """A PNG of the same SVG (scale 2: sharp on high-density screens and social cards)."""
    return cache.get_or_set(
        _spec_key(f"png{scale}", spec),
        lambda: _vl_convert().svg_to_png(render_svg(spec), scale=scale),
        RENDER_CACHE_SECONDS,
    )


_ID = re.compile(r'\bid="([^"]+)"')


_VEGA_ARIA = re.compile(r' (?:aria-roledescription|aria-label)="[^"]*"| role="graphics-[a-z]+"')


def _inline(svg, prefix):
    """An SVG to put in a page: its ids (clip paths, gradients) prefixed with the chart's, so
    that two charts on one page do not take each other's; no XML prolog; none of Vega's ARIA
    roles and labels, which are English (the template names the picture in Vietnamese)."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = _VEGA_ARIA.sub("", svg)
    ids = set(_ID.findall(svg))
    for old in ids:
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg


# --- The registry -----------------------------------------------------------------------------

_builders = {}


@dataclass(frozen=True)
class _Registered:
    builder: object
    params: tuple


def register(name, params=()):
    """Register `builder(params) -> Chart` as the chart `name` (`/bieu-do/<name>.<fmt>`).
    `params` names the query parameters it reads (e.g. `("giai-phap", "ngay")`): only these
    reach it and its download links, whatever else the page's address carries."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name):
        raise ValueError(f"Chart names are lowercase ASCII words joined by hyphens: {name!r}")

    def decorator(builder):
        known = _builders.get(name)
        if known is not None and known.builder is not builder:
            raise ValueError(f"Two charts are registered as {name!r}")
        _builders[name] = _Registered(builder, tuple(params))
        return builder

    return decorator


def registered(name):
    return name in _builders


def build(name, params=None):
    """The registered chart `name` made from `params` (a dict or a QueryDict; one value per
    key, the last), with `name` and `params` set for its links. KeyError for an unknown name;
    BadParams from the builder for wrong parameters."""
    entry = _builders[name]
    params = params or {}
    given = {key: params.get(key) for key in entry.params}
    given = {key: str(value) for key, value in given.items() if value not in (None, "")}

    def make():
        chart = entry.builder(dict(given))
        chart.name = name
        chart.params = given
        return chart

    # Once per data version and parameters (and day: without `ngay`, a chart shows today).
    key = f"chart:{name}:{urlencode(sorted(given.items()))}:{timezone.localdate()}"
    return dashboard_cache.cached(key, make)
