"""The home page, knowledge-base pages (guidance, legal documents, glossary), cited sources and
the site's owner and contact."""

from django.core.validators import RegexValidator
from django.db import models

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from kb import page_context
from kb.blocks import BodyBlock


class Source(models.Model):
    """A publication a record is taken from, cited wherever its facts are used."""

    key = models.SlugField("mã nguồn", max_length=80, unique=True)
    title = models.CharField("tiêu đề", max_length=500)
    publisher = models.CharField("nơi đăng", max_length=255, blank=True)
    published_on = models.DateField("ngày đăng", null=True, blank=True)
    url = models.URLField("đường dẫn", max_length=500, blank=True)
    note = models.TextField("ghi chú", blank=True)

    panels = [
        FieldPanel("key"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("publisher"), FieldPanel("published_on")]),
        FieldPanel("url"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "nguồn"
        verbose_name_plural = "nguồn"
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title

    @property
    def citation(self):
        parts = [f"“{self.title}”"]
        if self.publisher:
            parts.append(self.publisher)
        if self.published_on:
            parts.append(f"{self.published_on:%d/%m/%Y}")
        return ", ".join(parts)


class HomePage(Page):
    intro = models.TextField("giới thiệu", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["practices.PracticeIndexPage", "kb.KnowledgeIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "trang chủ"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        return page_context.extend(self, request, context)


class KnowledgeIndexPage(Page):
    intro = models.TextField("giới thiệu", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["kb.HomePage"]
    subpage_types = ["kb.GuidancePage", "kb.LegalDocumentPage", "kb.GlossaryTermPage"]
    max_count = 1

    class Meta:
        verbose_name = "kho tri thức"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        return page_context.extend(self, request, context)


class KnowledgePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.KnowledgePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class KnowledgePage(Page):
    """What guidance, legal documents and glossary entries share: tags, links, publishers."""

    summary = models.TextField("tóm tắt", blank=True)
    body = StreamField(BodyBlock(), verbose_name="nội dung", blank=True)
    published_on = models.DateField("ngày ban hành, đăng tải", null=True, blank=True)
    tags = ClusterTaggableManager("thẻ", through=KnowledgePageTag, blank=True)
    related_practices = ParentalManyToManyField(
        "practices.PracticePage",
        verbose_name="giải pháp liên quan",
        blank=True,
        related_name="knowledge_pages",
    )
    published_by = ParentalManyToManyField(
        "practices.Agency", verbose_name="cơ quan công bố", blank=True, related_name="+"
    )
    sources = ParentalManyToManyField(Source, verbose_name="nguồn", blank=True, related_name="+")

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("published_on"),
                FieldPanel("published_by"),
                FieldPanel("tags"),
                FieldPanel("related_practices"),
                FieldPanel("sources"),
            ],
            heading="Phân loại và liên kết",
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["kb.KnowledgeIndexPage"]
    subpage_types = []
    is_creatable = False

    class Meta:
        verbose_name = "trang tri thức"

    @property
    def kind_label(self):
        return self.specific_class._meta.verbose_name


class GuidancePage(KnowledgePage):
    # Wagtail derives a template name per class; all three share one layout.
    template = "kb/knowledge_page.html"

    class Meta:
        verbose_name = "hướng dẫn"


class LegalDocumentPage(KnowledgePage):
    template = "kb/knowledge_page.html"

    document_number = models.CharField("số, ký hiệu", max_length=80)
    issuer = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    effective_on = models.DateField("ngày có hiệu lực", null=True, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="tệp văn bản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = (
        KnowledgePage.content_panels[:1]
        + [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("document_number"), FieldPanel("issuer")]),
                    FieldRowPanel([FieldPanel("issued_on"), FieldPanel("effective_on")]),
                    FieldPanel("document"),
                ],
                heading="Thông tin văn bản",
            )
        ]
        + KnowledgePage.content_panels[1:]
    )
    search_fields = KnowledgePage.search_fields + [index.SearchField("document_number")]

    class Meta:
        verbose_name = "văn bản pháp lý"


class GlossaryTermPage(KnowledgePage):
    template = "kb/knowledge_page.html"

    term = models.CharField("thuật ngữ", max_length=255)
    abbreviation = models.CharField("viết tắt", max_length=40, blank=True)

    content_panels = (
        KnowledgePage.content_panels[:1]
        + [FieldRowPanel([FieldPanel("term"), FieldPanel("abbreviation")])]
        + KnowledgePage.content_panels[1:]
    )
    search_fields = KnowledgePage.search_fields + [index.SearchField("term")]

    class Meta:
        verbose_name = "thuật ngữ"


@register_setting(icon="site")
class SiteContact(BaseSiteSetting):
    """Who runs the site and how to reach them, shown in the footer of every public page;
    editors set it under "Tùy chỉnh" in the admin."""

    owner = models.CharField(
        "đơn vị chủ quản",
        max_length=255,
        help_text="Tên cơ quan, đơn vị chịu trách nhiệm về trang, hiện ở chân mọi trang.",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    email = models.EmailField("thư điện tử liên hệ", blank=True)
    phone = models.CharField(
        "điện thoại",
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9 .()-]{6,40}$",
                "Số điện thoại chỉ gồm chữ số, dấu cách, dấu chấm, gạch nối, ngoặc và dấu + ở đầu.",
            )
        ],
    )

    panels = [
        FieldPanel("owner"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
    ]

    class Meta:
        verbose_name = "đơn vị chủ quản, liên hệ"
        verbose_name_plural = "đơn vị chủ quản, liên hệ"

    @property
    def phone_link(self):
        """The number for a `tel:` link: digits and a leading +."""
        digits = "".join(c for c in self.phone if c.isdigit())
        return f"+{digits}" if self.phone.strip().startswith("+") else digits
