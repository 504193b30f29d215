"""StreamField blocks shared by practice and knowledge-base pages."""

from django.utils.safestring import mark_safe

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from kb.markdown import markdown_to_text, render_markdown


class MarkdownBlock(blocks.TextBlock):
    """Markdown source kept as written; the HTML is rendered and sanitised when shown."""

    def render_basic(self, value, context=None):
        return mark_safe(render_markdown(value))  # noqa: S308 - sanitised by nh3

    def get_searchable_content(self, value):
        return [markdown_to_text(value)]

    class Meta:
        icon = "code"
        label = "Markdown"
        form_classname = "monospace"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="trích dẫn")
    attribution = blocks.CharBlock(label="nguồn trích dẫn", required=False)

    class Meta:
        icon = "openquote"
        label = "Trích dẫn"
        template = "blocks/quote.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label="tài liệu")
    title = blocks.CharBlock(label="tiêu đề hiển thị", required=False)

    class Meta:
        icon = "doc-full"
        label = "Tài liệu"
        template = "blocks/document_link.html"


class ExternalLinkBlock(blocks.StructBlock):
    url = blocks.URLBlock(label="đường dẫn")
    title = blocks.CharBlock(label="tiêu đề")

    class Meta:
        icon = "link"
        label = "Liên kết"
        template = "blocks/external_link.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label="Văn bản")
    markdown = MarkdownBlock()
    quote = QuoteBlock()
    document = DocumentLinkBlock()
    link = ExternalLinkBlock()
