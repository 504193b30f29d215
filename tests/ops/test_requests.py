"""Request ids and JSON logs (ops/requests.py): every answer names its request, and every
log line made while it runs carries that name."""

import io
import json
import logging

import pytest

from ops.requests import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines():
    """What the site logs while the test runs, as production writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ops.requests")
    logger.addHandler(handler)
    # (A test before may have configured logging again, which disables the loggers it omits.)
    level, disabled = logger.level, logger.disabled
    logger.setLevel(logging.INFO)
    logger.disabled = False
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)
    logger.disabled = disabled


def test_an_answer_names_its_request_and_its_access_line_too(client, lines):
    response = client.get("/du-lieu-mo/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    found = lines()
    assert len(found) == 1, found
    (line,) = found
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/du-lieu-mo/", 200)
    assert line["ms"] > 0 and line["level"] == "INFO" and line["logger"] == "ops.requests"


def test_the_proxys_id_is_kept_when_it_is_a_plain_token(client, lines):
    kept = client.get("/du-lieu-mo/", HTTP_X_REQUEST_ID="lb-7f3a.01_x")
    assert kept["X-Request-ID"] == "lb-7f3a.01_x"
    for forged in ('x"\n{"level": "ERROR"}', "a" * 65, "có dấu"):
        answer = client.get("/du-lieu-mo/", HTTP_X_REQUEST_ID=forged)
        assert answer["X-Request-ID"] != forged and len(answer["X-Request-ID"]) == 32
    assert [line["request_id"] for line in lines()][0] == "lb-7f3a.01_x"


def test_a_line_outside_any_request_has_an_empty_id_and_keeps_its_exception():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "hỏng %s", ("rồi",), None)
    try:
        raise ValueError("lỗi")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hỏng rồi" and line["request_id"] == ""
    assert "ValueError: lỗi" in line["exception"]
