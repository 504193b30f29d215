"""The OpenAPI schema of /api/v1/ (opendata/schema.py): served, complete, in Vietnamese, and
true to what the API answers, checked by schemathesis against the live test server."""

import json
import re

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
OPERATIONS = {
    ("/api/v1/practices/", "get"),
    ("/api/v1/practices/{slug}/", "get"),
    ("/api/v1/agencies/", "get"),
    ("/api/v1/agencies/{slug}/", "get"),
    ("/api/v1/adoptions/", "get"),
    ("/api/v1/adoptions/{id}/", "get"),
    ("/api/v1/search/", "get"),
    ("/api/v1/search/suggest/", "get"),
}
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


@pytest.fixture
def document(client):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_the_schema_describes_every_operation_of_the_open_data_api(document):
    assert document["openapi"].startswith("3.")
    operations = {(path, method) for path, ops in document["paths"].items() for method in ops}
    # Only the open-data API: not Wagtail's admin API, not the schema's own views.
    assert operations == OPERATIONS
    assert "CC BY 4.0" in document["info"]["license"]["name"]


def test_every_field_parameter_and_operation_is_described_in_vietnamese(document):
    undescribed = []
    for name, component in document["components"]["schemas"].items():
        for field, schema in (component.get("properties") or {}).items():
            if "$ref" not in schema and "allOf" not in schema and not schema.get("description"):
                undescribed.append(f"{name}.{field}")
    for path, ops in document["paths"].items():
        for method, operation in ops.items():
            if not VIETNAMESE.search(operation.get("summary", "")):
                undescribed.append(f"{method} {path}")
            if not any(VIETNAMESE.search(tag) for tag in operation.get("tags", [])):
                undescribed.append(f"{method} {path} (tag)")
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    undescribed.append(f"{method} {path} ?{parameter['name']}")
    assert undescribed == []


def test_every_operation_documents_its_errors_with_one_shape(document):
    for path, ops in document["paths"].items():
        for operation in ops.values():
            for status in ("400", "429"):
                if path.endswith("/suggest/") and status == "400":
                    continue  # it has no parameter to refuse
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, status)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_every_refusal_says_what_was_wrong_in_error(client, seeded):
    for url in [
        "/api/v1/adoptions/?on=31-12-2024&agency=24",
        "/api/v1/agencies/?kind=planet",
        "/api/v1/practices/khong-co-giai-phap-nay/",
        "/api/v1/search/?q=",
    ]:
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert VIETNAMESE.search(response.json()["error"]), url
    # DRF's own keys stay: the contract adds fields, never renames them.
    assert "on" in client.get("/api/v1/adoptions/?on=31-12-2024&agency=24").json()


def test_the_schema_viewer_is_served_from_our_own_files(client):
    response = client.get("/api/v1/schema/xem/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<style>" not in page
    # No inline script: the initialiser is a file of its own (?script).
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    script = client.get("/api/v1/schema/xem/?script=")
    assert script.status_code == 200 and SCHEMA in script.content.decode()


# --- Fuzzing the live server ---------------------------------------------------------------


# The schema as the view serves it, made at collection (drf-spectacular reads the code, not
# the database); the calls go to the live server. (schemathesis.pytest.from_fixture, which
# would load it from the server, does not run under pytest 9.)
GENERATED = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
fuzzed = schemathesis.openapi.from_dict(GENERATED)


def test_the_fuzzed_schema_is_the_one_served(document):
    assert document == GENERATED


def error_has_a_sentence(ctx, response, case):
    """A check of our own: an answer of 400 or more says what was wrong, in `error`."""
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"].strip(), body


@fuzzed.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(case, live_server, seeded):
    case.call_and_validate(
        base_url=live_server.url,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            error_has_a_sentence,
        ],
    )


def test_an_unknown_api_address_answers_json_and_a_missing_slash_still_redirects(client):
    for address in ("/api/v1/khong-co/0.5/", "/api/v1/x%0A/"):  # (a line break: schemathesis)
        response = client.get(address)
        assert response.status_code == 404, address
        assert VIETNAMESE.search(response.json()["error"]), address
    response = client.get("/api/v1/practices")
    assert response.status_code == 301 and response["Location"] == "/api/v1/practices/"
