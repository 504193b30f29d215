"""A request id for every request, and logs a machine reads: one JSON object a line.

`RequestIdMiddleware` takes the proxy's `X-Request-ID` when it is a plain token (letters,
digits, `.`, `_`, `-`, up to 64), else makes one; it answers with it in `X-Request-ID` and
writes one access line per request (`ops.requests`: method, path, status, milliseconds).
`RequestIdFilter` puts the id on every log record made while the request runs, whichever
logger makes it, so that a line of the search fallback or of a failed e-mail can be traced
to the request that caused it; `JsonFormatter` writes the records as JSON (production).
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

_request_id = contextvars.ContextVar("request_id", default="")
TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
access = logging.getLogger("ops.requests")


def current_request_id():
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if TOKEN.fullmatch(given) else uuid.uuid4().hex
        token = _request_id.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round(1000 * (time.perf_counter() - started), 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        return True


# The attributes every LogRecord has: what is not among them came from `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
