"""Object storage (S3 or a compatible server) that no setting can make public.

Used when the production settings put the files in a bucket (`STORAGE_BACKEND=s3`,
`kb/settings/object_storage.py`): `STORAGES["default"]` (Wagtail's documents and images) is a
`PrivateS3Storage`, `STORAGES["evidence"]` its subclass of `practices.evidence.object_storage`.
Documents are still sent only by Wagtail's serve view and evidence only by the evidence view,
both after their checks; the bucket itself grants nothing to anyone but the application.
"""

from django.core.exceptions import ImproperlyConfigured

from storages.backends.s3 import S3Storage

PRIVATE_ACLS = (None, "private")


class PrivateS3Storage(S3Storage):
    """django-storages' S3 storage, with the choices that would publish a file refused.

    - Objects are written `private` (or with no ACL at all, for a bucket whose ACLs are
      disabled: its objects belong to the bucket owner alone); a public ACL is refused, in the
      options and in `AWS_S3_OBJECT_PARAMETERS` alike.
    - Any URL the storage gives is signed and expires (`querystring_auth`); a custom domain,
      whose URLs are unsigned, is refused.
    - A name already taken gets a new one instead of replacing the file (`file_overwrite`
      off, as on disk): two documents uploaded as "bao-cao.pdf" stay two files.
    """

    default_acl = "private"
    querystring_auth = True
    file_overwrite = False

    def __init__(self, **settings):
        super().__init__(**settings)
        acl = self.object_parameters.get("ACL", self.default_acl)
        if acl not in PRIVATE_ACLS:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: the ACL {acl!r} would publish the files; "
                "use 'private' (or none, for a bucket whose ACLs are disabled)."
            )
        if not self.querystring_auth:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: querystring_auth must stay on (signed URLs only)."
            )
        if self.custom_domain:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: a custom domain gives unsigned, public URLs."
            )
        if self.file_overwrite:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: file_overwrite would let an upload replace another "
                "file of the same name."
            )
