"""What both engines share: the result shape, highlighting on the Vietnamese text, and the
rule for results that lack some of the words asked for.

A search first asks for every word (each word, or any variant of its synonym group). When
that finds less than a page, it also asks for most of the words (`required_words`), and those
results come after every full match, each naming the words it lacks (`Hit.missing`).
"""

import dataclasses
import functools
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from kb.spans import merged

PAGE_SIZE = 10
MAX_PAGE = 100
SNIPPET_LENGTH = 220
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters never found in content
TOKEN = re.compile(r"\w+")


def tokens(folded_text):
    return TOKEN.findall(folded_text)


def required_words(count):
    """How many of `count` words a result must hold when not all of them are found: every
    word up to two, then three in four (rounded down: 2 of 3, 3 of 4, 3 of 5, 9 of 12)."""
    return count if count <= 2 else (3 * count) // 4


def unit_weights(request):
    """The number of words of each unit: a synonym group found as "thanh toán trực tuyến"
    counts for the four words typed, not for one."""
    return [max(1, len(tokens(unit.text))) for unit in request.units]


def seeks_partial(request, complete):
    """Whether to look for results with most of the words: the full matches fill less than a
    page, and holding most of the words is less than holding them all."""
    weights = unit_weights(request)
    return (
        complete < request.page_size
        and len(weights) > 1
        and (required_words(sum(weights)) < sum(weights))
    )


@dataclasses.dataclass
class Hit:
    type: str
    title: str
    title_html: str
    url: str
    snippet: str
    category: str
    agency: str
    score: float
    missing: list = dataclasses.field(default_factory=list)  # words as typed; [] = all found


@dataclasses.dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclasses.dataclass
class SearchResults:
    request: object  # queries.SearchRequest
    total: int
    hits: list
    facets: dict
    engine: str
    did_you_mean: str = ""
    notice: str = ""
    # The node failed and the database answered: shown with a notice, and never cached.
    fell_back: bool = False
    # Results holding every word come first; the `total - complete` after them lack some.
    complete: int | None = None
    # When nothing holds every word: {folded word: the closest indexed word} for each word
    # that no title or body holds, for "did you mean" (queries.did_you_mean).
    unknown_words: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if self.complete is None:
            self.complete = self.total

    @property
    def page_count(self):
        return min(MAX_PAGE, max(1, -(-self.total // self.request.page_size)))

    @property
    def incomplete(self):
        """Whether some results lack words; `complete == 0` means none holds them all."""
        return self.complete < self.total


def page_slices(request, complete):
    """Where the current page falls in the full matches and in the partial ones after them:
    ((start, stop) among the full, (start, stop) among the partial)."""
    start = (request.page - 1) * request.page_size
    stop = start + request.page_size
    full = (min(start, complete), min(stop, complete))
    partial = (max(0, start - complete), max(0, stop - complete))
    return full, partial


# --- Highlighting and missing words --------------------------------------------------------


def spans_from_marked(marked):
    """Positions of marked runs in a text carrying MARK_START/MARK_END around matches."""
    spans, plain_pos, start = [], 0, None
    for char in marked:
        if char == MARK_START:
            start = plain_pos
        elif char == MARK_END:
            if start is not None:
                spans.append((start, plain_pos))
            start = None
        else:
            plain_pos += 1
    return spans


@functools.lru_cache(maxsize=1024)
def _regex(pattern):
    """The compiled pattern of a folded word or phrase: its words as whole words, anything
    but a letter or digit between them. Cached: a search asks it of every row it rescores."""
    words = r"\W+".join(map(re.escape, tokens(pattern)))
    return re.compile(r"(?<![a-z0-9])" + words + r"(?![a-z0-9])")


def spans_for(folded_text, request):
    """Where the request's words (any synonym variant) and phrases occur in folded text."""
    patterns = [v for unit in request.units for v in unit.variants] + request.phrases
    spans = []
    for pattern in patterns:
        spans += [m.span() for m in _regex(pattern).finditer(folded_text)]
    return merged(spans)


def missing_words(request, *folded_texts):
    """The words of the request (as typed) that none of `folded_texts` holds, in any
    variant of their synonym group; missing words next to each other go together ("long
    an" rather than "long", "an")."""
    runs, previous = [], False
    for unit in request.units:
        held = any(
            _regex(variant).search(text) for variant in unit.variants for text in folded_texts
        )
        if not held:
            words = unit.typed or unit.text
            if previous:
                runs[-1] += " " + words
            else:
                runs.append(words)
        previous = not held
    return runs


def mark(text, spans, start=0, end=None):
    """HTML of text[start:end] with <mark> around spans; everything else escaped."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [escape(text[pos:s]), "<mark>", escape(text[s:e]), "</mark>"]
        pos = e
    out.append(escape(text[pos:end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(text, spans, length=SNIPPET_LENGTH):
    """A window of `text` around its first match, with matches marked."""
    if not text:
        return mark_safe("")
    first = spans[0][0] if spans else 0
    start = max(0, first - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    html = mark(text, spans, start, end)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308 - `mark` escapes


def facet_values(name, counts, request, labels):
    selected = request.filters.get(name)
    values = [
        FacetValue(str(value), labels.get(name, {}).get(value, str(value)), n, value == selected)
        for value, n in counts
        if value not in ("", None)
    ]
    if name == "year":
        values.sort(key=lambda v: v.value, reverse=True)
    return values
