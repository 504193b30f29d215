"""Where evidence files live and what they are called.

Files go to their own storage (`STORAGES["evidence"]`: under `PRIVATE_MEDIA_ROOT`, or in a
private bucket, `practices.evidence.object_storage`), which no web server maps to a public
URL: the only way to them is the evidence view, which asks the permission policy. Each upload
gets a random name, so a stored name says nothing about the upload and cannot be guessed; the
uploader's own name is kept beside it (`evidence_file_name`) and only used as the download
name.

This module is imported by the models: it must not import models, queries or views.
"""

import os
import re
import secrets
import unicodedata

from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, cached_property, empty

STORAGE_ALIAS = "evidence"
# Stored names: `minh-chung/<year>/<month>/<32 hex digits>.<extension>`. The view refuses any
# other shape before it touches the storage.
PREFIX = "minh-chung/"
EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "webp")
NAME_PATTERN = re.compile(
    r"\Aminh-chung/\d{4}/\d{2}/[0-9a-f]{32}\.(?:%s)\Z" % "|".join(EXTENSIONS)  # noqa: UP031
)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
ORIGINAL_NAME_MAX = 255


class EvidenceStorage(FileSystemStorage):
    """A file system storage under `PRIVATE_MEDIA_ROOT` (unless given a location) whose URLs
    are the evidence view's: even code that asks a stored file for its `.url` links to the
    door that checks who is asking, never to a public path."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        return evidence_url(name)


class _ConfiguredEvidenceStorage(LazyObject):
    """`storages["evidence"]`, looked up when first used and again after `STORAGES` changes
    (as `default_storage` is): the model field keeps this, so a test that points the
    storages at another backend through the `settings` fixture moves the field's files too."""

    def _setup(self):
        self._wrapped = storages[STORAGE_ALIAS]


_configured = _ConfiguredEvidenceStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _configured._wrapped = empty


def evidence_storage():
    # A callable, so that migrations name the alias rather than a location on this machine.
    return _configured


def evidence_url(name):
    """The evidence view's address for a stored name."""
    if not name or not name.startswith(PREFIX):
        return ""
    return reverse("practices:evidence_file", kwargs={"path": name.removeprefix(PREFIX)})


def is_stored_name(name):
    return bool(NAME_PATTERN.match(name or ""))


def content_type(name):
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def random_name(original, now=None):
    """A fresh stored name keeping only the (lower-cased) extension of `original`."""
    now = now or timezone.now()
    extension = os.path.splitext(original or "")[1].lower().lstrip(".")
    if extension not in EXTENSIONS:
        # The validator has refused such an upload already; a legacy file keeps a safe name.
        extension = "pdf"
    return f"{PREFIX}{now:%Y/%m}/{secrets.token_hex(16)}.{extension}"


def upload_to(instance, filename):
    return random_name(filename)


def clean_original_name(name):
    """The uploader's file name as it may appear in a download header: no folders, no
    control characters, NFC (names from macOS come decomposed), at most 255 characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > ORIGINAL_NAME_MAX:
        stem, extension = os.path.splitext(name)
        name = stem[: ORIGINAL_NAME_MAX - len(extension)] + extension
    return name


def download_name(stored, original):
    return clean_original_name(original) or os.path.basename(stored or "") or "minh-chung"


class EvidenceFileInput(forms.ClearableFileInput):
    """The admin's file input, showing the uploader's name for the current file and linking
    it to the evidence view (so a reviewer opens exactly the file of the version under
    review: the edit view shows the latest revision)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            original = getattr(value.instance, f"{value.field.name}_name", "")
            context["widget"]["value"] = ShownFile(
                evidence_url(value.name), download_name(value.name, original)
            )
        return context


class ShownFile:
    """What Django's file input template reads of the current file: its link and label."""

    def __init__(self, url, label):
        self.url = url
        self.label = label

    def __str__(self):
        return self.label


class EvidenceFileField(models.FileField):
    """A file field that records the uploaded file's own name in `<name>_name` as the file is
    written under a random name.

    The name is set in `pre_save`, which runs both when the row is saved and when the record
    is serialised into a revision (a draft of a live record is only a revision), so the
    `<name>_name` field must come after this one in the model: fields are saved and
    serialised in order.
    """

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        original = file.name if file and not file._committed else None
        file = super().pre_save(model_instance, add)
        if original is not None:
            setattr(model_instance, f"{self.name}_name", clean_original_name(original))
        elif not file:
            setattr(model_instance, f"{self.name}_name", "")
        return file

    def formfield(self, **kwargs):
        kwargs.setdefault("widget", EvidenceFileInput)
        return super().formfield(**kwargs)
