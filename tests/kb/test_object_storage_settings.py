"""The production settings choose where files live from the environment: the local disk unless
told otherwise, private buckets with `STORAGE_BACKEND=s3`, and nothing that would publish a
file (docs/production.md, "Object storage"). No server is needed: storages connect lazily."""

import json

from django.core.exceptions import ImproperlyConfigured

import pytest

from kb.storage import PrivateS3Storage
from practices.evidence.object_storage import S3EvidenceStorage
from tests.production import run_production

PRINT_STORAGES = (
    "import json; print(json.dumps({k: s.STORAGES[k] for k in ('default', 'evidence')}))"
)
BUCKETS = {"AWS_STORAGE_BUCKET_NAME": "dvctt-tep", "AWS_S3_ENDPOINT_URL": "http://s3.example"}


def production_storages(**env):
    result = run_production(PRINT_STORAGES, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(**env):
    result = run_production(PRINT_STORAGES, **env)
    assert result.returncode != 0
    assert ImproperlyConfigured.__name__ in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_the_default_stays_the_local_disk():
    storages = production_storages(STORAGE_BACKEND="", AWS_STORAGE_BUCKET_NAME="")
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["evidence"]["BACKEND"] == "practices.evidence.storage.EvidenceStorage"
    # Said out loud, with a bucket named, it is still the disk.
    storages = production_storages(STORAGE_BACKEND="local", **BUCKETS)
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize("switch", [{"STORAGE_BACKEND": "s3"}, {"STORAGE_BACKEND": ""}])
def test_a_bucket_puts_documents_and_evidence_in_private_prefixes(switch):
    storages = production_storages(**BUCKETS, **switch)
    default, evidence = storages["default"], storages["evidence"]
    assert default["BACKEND"] == "kb.storage.PrivateS3Storage"
    assert evidence["BACKEND"] == "practices.evidence.object_storage.S3EvidenceStorage"
    for options in (default["OPTIONS"], evidence["OPTIONS"]):
        assert options["bucket_name"] == "dvctt-tep"
        assert options["endpoint_url"] == "http://s3.example"
        assert options["default_acl"] == "private"
        assert options["querystring_auth"] is True
        assert options["file_overwrite"] is False
    assert default["OPTIONS"]["location"] == "media"
    assert evidence["OPTIONS"]["location"] == "evidence"


@pytest.mark.parametrize(
    "env, origin",
    [
        ({}, "http://s3.example"),
        ({"AWS_S3_ADDRESSING_STYLE": "virtual"}, "http://dvctt-tep.s3.example"),
        (
            {"AWS_S3_ENDPOINT_URL": "", "AWS_S3_REGION_NAME": "ap-southeast-1"},
            "https://dvctt-tep.s3.amazonaws.com",
        ),
    ],
    ids=["endpoint", "virtual hosts", "aws"],
)
def test_images_may_come_from_the_bucket_and_nothing_else_does(env, origin):
    code = "import json; print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    result = run_production(code, **{**BUCKETS, **env})
    assert result.returncode == 0, result.stderr
    directives = json.loads(result.stdout)
    assert directives["img-src"] == ["'self'", "data:", origin]
    assert all(origin not in value for key, value in directives.items() if key != "img-src")


def test_evidence_may_have_a_bucket_of_its_own():
    storages = production_storages(**BUCKETS, EVIDENCE_BUCKET_NAME="dvctt-minh-chung")
    assert storages["evidence"]["OPTIONS"]["bucket_name"] == "dvctt-minh-chung"
    assert storages["default"]["OPTIONS"]["bucket_name"] == "dvctt-tep"
    # In a bucket of its own, the evidence may fill it.
    storages = production_storages(
        **BUCKETS, EVIDENCE_BUCKET_NAME="dvctt-minh-chung", EVIDENCE_LOCATION=""
    )
    assert storages["evidence"]["OPTIONS"]["location"] == ""


@pytest.mark.parametrize(
    "env, names",
    [
        ({"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": ""}, "AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
        ({**BUCKETS, "AWS_DEFAULT_ACL": "public-read"}, "AWS_DEFAULT_ACL"),
        ({**BUCKETS, "EVIDENCE_LOCATION": "media"}, "EVIDENCE_LOCATION"),
        ({**BUCKETS, "EVIDENCE_LOCATION": "media/minh-chung"}, "EVIDENCE_LOCATION"),
        ({**BUCKETS, "AWS_LOCATION": ""}, "AWS_LOCATION"),
    ],
    ids=["no bucket", "unknown backend", "public ACL", "same prefix", "inside", "whole bucket"],
)
def test_a_setting_that_would_mix_or_publish_files_is_refused_at_start(env, names):
    assert names in refused(**env)


def test_no_acl_is_allowed_for_a_bucket_whose_acls_are_disabled():
    storages = production_storages(**BUCKETS, AWS_DEFAULT_ACL="none")
    assert storages["evidence"]["OPTIONS"]["default_acl"] is None


@pytest.mark.parametrize("storage_class", [PrivateS3Storage, S3EvidenceStorage])
@pytest.mark.parametrize(
    "options",
    [
        {"default_acl": "public-read"},
        {"object_parameters": {"ACL": "public-read"}},
        {"querystring_auth": False},
        {"custom_domain": "tep.example.org"},
        {"file_overwrite": True},
    ],
    ids=["public ACL", "public ACL per object", "unsigned URLs", "custom domain", "overwrite"],
)
def test_the_storage_refuses_what_would_publish_or_replace_a_file(storage_class, options):
    with pytest.raises(ImproperlyConfigured):
        storage_class(bucket_name="dvctt-tep", **options)
    storage_class(bucket_name="dvctt-tep")  # the defaults are private
