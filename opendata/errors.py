"""One error shape for the whole open-data API: every answer of 400 or more carries
`error`, a sentence in Vietnamese a person can read. DRF's own keys stay beside it (a
refused filter keeps `{"<filter>": ["…"]}`, a missing object `{"detail": "…"}`): the
contract adds fields, never renames them."""

from django.http import Http404

from rest_framework import status
from rest_framework.views import exception_handler

NOT_FOUND = "Không có đối tượng này, hoặc đối tượng chưa được công bố."
# Answers whose own text comes from DRF in English: their sentence is ours.
SENTENCES = {
    status.HTTP_405_METHOD_NOT_ALLOWED: "API chỉ để đọc: chỉ nhận GET, HEAD và OPTIONS.",
    status.HTTP_406_NOT_ACCEPTABLE: "API chỉ trả lời bằng JSON.",
}


def _sentences(data):
    if isinstance(data, dict):
        return [text for value in data.values() for text in _sentences(value)]
    if isinstance(data, list):
        return [text for value in data for text in _sentences(value)]
    return [str(data)]


def with_error_sentence(exc, context):
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "error" not in response.data:
        if isinstance(exc, Http404):  # Django's own text: "No PracticePage matches the …"
            sentence = NOT_FOUND
        else:
            sentence = SENTENCES.get(response.status_code) or " ".join(_sentences(response.data))
        response.data = {"error": sentence, **response.data}
    return response
