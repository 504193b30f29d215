"""Which storage holds the files, read from the environment (docs/production.md, "Object
storage"). Not a settings module: `production.py` calls it, and the tests build the same
`STORAGES` with it against the object store of scripts/services/objectstore.sh.

- `STORAGE_BACKEND=local` (the default): documents and images under `MEDIA_ROOT`, evidence
  under `PRIVATE_MEDIA_ROOT`, as in `base.py`.
- `STORAGE_BACKEND=s3` (also the default once `AWS_STORAGE_BUCKET_NAME` is set): all of them in
  S3 or a compatible server, through django-storages. Documents and images in
  `AWS_STORAGE_BUCKET_NAME` under `AWS_LOCATION` (default `media`), evidence in
  `EVIDENCE_BUCKET_NAME` (default: the same bucket) under `EVIDENCE_LOCATION` (default
  `evidence`); the two may not overlap. The credentials are not settings: django-storages and
  boto3 read `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` from the environment, or use the
  machine's role.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = ("local", "s3")
MB = 1024 * 1024


def storage_backend(environ):
    """'local' or 's3'."""
    value = environ.get("STORAGE_BACKEND", "").strip().lower()
    if not value:
        return "s3" if environ.get("AWS_STORAGE_BUCKET_NAME") else "local"
    if value not in BACKENDS:
        raise ImproperlyConfigured(f"STORAGE_BACKEND={value!r}: use one of {', '.join(BACKENDS)}.")
    return value


def _prefix(value):
    return (value or "").strip().strip("/")


def _overlap(a, b):
    """Whether one prefix holds the other (an empty prefix holds the whole bucket)."""
    return not a or not b or a == b or a.startswith(b + "/") or b.startswith(a + "/")


def _acl(environ):
    value = environ.get("AWS_DEFAULT_ACL", "private").strip()
    if value == "private":
        return "private"
    if value.lower() == "none":
        # A bucket whose ACLs are disabled (AWS's "bucket owner enforced") refuses any ACL
        # header but `bucket-owner-full-control`; its objects are the owner's alone.
        return None
    raise ImproperlyConfigured(
        f"AWS_DEFAULT_ACL={value!r}: files must stay private; use 'private' or 'none'."
    )


def s3_storages(environ):
    """`STORAGES["default"]` and `STORAGES["evidence"]` in buckets, from `environ`."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    media = _prefix(environ.get("AWS_LOCATION", "media"))
    evidence_bucket = environ.get("EVIDENCE_BUCKET_NAME", "").strip() or bucket
    evidence = _prefix(environ.get("EVIDENCE_LOCATION", "evidence"))
    if evidence_bucket == bucket and _overlap(media, evidence):
        raise ImproperlyConfigured(
            "The evidence (EVIDENCE_BUCKET_NAME, EVIDENCE_LOCATION) must be a bucket or a "
            "prefix of its own, outside the documents' (AWS_STORAGE_BUCKET_NAME, AWS_LOCATION)."
        )
    common = {
        "default_acl": _acl(environ),
        "querystring_auth": True,
        # Images' signed URLs (documents and evidence are streamed, never linked).
        "querystring_expire": int(environ.get("AWS_QUERYSTRING_EXPIRE", 3600)),
        "file_overwrite": False,
        # A download is read into a spooled file: past this size it goes to a temporary file
        # instead of memory (0, django-storages' default, would keep every file in memory).
        "max_memory_size": int(environ.get("AWS_S3_MAX_MEMORY_SIZE", MB)),
    }
    for option, variable in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),
        ("signature_version", "AWS_S3_SIGNATURE_VERSION"),
    ):
        if environ.get(variable):
            common[option] = environ[variable]
    return {
        "default": {
            "BACKEND": "kb.storage.PrivateS3Storage",
            "OPTIONS": {**common, "bucket_name": bucket, "location": media},
        },
        "evidence": {
            "BACKEND": "practices.evidence.object_storage.S3EvidenceStorage",
            "OPTIONS": {**common, "bucket_name": evidence_bucket, "location": evidence},
        },
    }


def image_origin(environ):
    """The origin of the signed URLs of images in the documents' bucket (Wagtail's image
    library shows its thumbnails from there), for the CSP's `img-src`. Made as the storage
    makes those URLs, by botocore, offline: with a placeholder key, since no request is sent."""
    import boto3
    from botocore.config import Config

    options = s3_storages(environ)["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name"),
        aws_access_key_id="placeholder",
        aws_secret_access_key="placeholder",  # noqa: S106 - signs nothing that is sent
        config=Config(
            s3={"addressing_style": options.get("addressing_style")},
            signature_version=options.get("signature_version"),
        ),
    )
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": options["bucket_name"], "Key": "x"}, ExpiresIn=60
    )
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
