"""Moving evidence files uploaded before the private storage existed.

They lie in MEDIA_ROOT (the default storage) under the uploader's name, where a web server
publishing /media/ would serve them to anyone. Each is copied into the evidence storage
under a random name; the adoption rows and revisions naming it are rewritten to the new
name, with the old file name kept as the download name; the old copy is deleted once the
transaction has committed, so a failed run loses nothing. Names already in the new form are
left alone, so the move can be run again (`manage.py move_evidence_files`; the migration
`0005` runs it once). A name whose file is missing stays as it was and is reported.

Takes the models as arguments, so the migration can pass its historical ones.
"""

import os
from dataclasses import dataclass, field

from django.core.files.storage import storages
from django.db import transaction

from practices.evidence.storage import (
    STORAGE_ALIAS,
    clean_original_name,
    is_stored_name,
    random_name,
)


@dataclass
class MoveReport:
    moved: dict = field(default_factory=dict)  # old name -> new name
    missing: list = field(default_factory=list)
    rows: int = 0
    revisions: int = 0


def move_legacy_files(adoption_model, revision_model, content_type_model, source=None, target=None):
    source = source or storages["default"]
    target = target or storages[STORAGE_ALIAS]
    report = MoveReport()
    renamed = {}  # old name -> (new name, original name), or None when missing

    def move(old):
        if not old or is_stored_name(old):
            return None
        if old not in renamed:
            if not source.exists(old):
                report.missing.append(old)
                renamed[old] = None
            else:
                with source.open(old, "rb") as f:
                    new = target.save(random_name(old), f)
                renamed[old] = (new, clean_original_name(os.path.basename(old)))
                report.moved[old] = new
        return renamed[old]

    rows = adoption_model.objects.exclude(evidence_file="").values_list("pk", "evidence_file")
    for pk, old in list(rows):
        moved = move(old)
        if moved:
            new, original = moved
            adoption_model.objects.filter(pk=pk).update(
                evidence_file=new, evidence_file_name=original
            )
            report.rows += 1

    content_type = content_type_model.objects.filter(
        app_label="practices", model="adoption"
    ).first()
    if content_type is not None:
        revisions = (
            revision_model.objects.filter(
                base_content_type=content_type, content__has_key="evidence_file"
            )
            .exclude(content__evidence_file="")
            .values_list("pk", "content")
        )
        for pk, content in list(revisions):
            moved = move(content.get("evidence_file") or "")
            if moved:
                content["evidence_file"], content["evidence_file_name"] = moved
                revision_model.objects.filter(pk=pk).update(content=content)
                report.revisions += 1

    old_names = list(report.moved)
    transaction.on_commit(lambda: [source.delete(name) for name in old_names])
    return report
