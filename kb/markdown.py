"""Markdown written by editors, turned into HTML that is safe to show to the public."""

import functools
import html

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@functools.lru_cache(maxsize=512)
def render_markdown(text):
    """Render Markdown and sanitise the result with an allow-list.

    Raw HTML in the source is not trusted: anything outside the allow-list (scripts, event
    handlers, `javascript:` links, images from elsewhere) is dropped by nh3.
    """
    rendered = markdown.markdown(
        text or "",
        extensions=["tables", "sane_lists"],
        # `align` survives the allow-list; the default inline `style` would not.
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def markdown_to_text(text):
    """Plain text of a Markdown source, for search indexing and summaries."""
    return html.unescape(nh3.clean(render_markdown(text), tags=set())).strip()
