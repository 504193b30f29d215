"""Evidence files in a bucket (`STORAGE_BACKEND=s3`; docs/production.md, "Object storage").

A module of its own, so that the models (which import `practices.evidence.storage`) do not
load boto3 on a site that keeps its files on disk.
"""

from kb.storage import PrivateS3Storage
from practices.evidence.storage import evidence_url


class S3EvidenceStorage(PrivateS3Storage):
    """A private bucket (or a prefix of one) whose URLs are the evidence view's, as on disk:
    code that asks a stored file for its `.url` never gets an address in the bucket, not even
    a signed one. The view streams the file from here after the permission check
    (`kb.sendfile.serve_stored`)."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return evidence_url(name)
