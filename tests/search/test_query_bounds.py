"""A query is cut to SEARCH_MAX_WORDS distinct words before it reaches an engine, each word
brings at most SEARCH_MAX_SYNONYMS synonyms, and the user is told when words were dropped.

Anonymous search once cost seconds of CPU per request on the database engine: every word is
a pattern tried on every document. These tests look at what each engine actually receives
(the Elasticsearch body, the full-text expressions sent to the database) rather than at
timings.
"""

import contextlib
import re
from unittest import mock

from django.db import connection

import pytest

from practices.text import fold_aligned
from search import database, queries
from search.models import SynonymGroup
from search.queries import build_search, parse
from tests.search.test_views import FEES_URL, database_engine, engine

__all__ = ["database_engine", "engine"]

NO_SYNONYMS = []
# 120 distinct short words (490 characters), none of which is in the catalogue.
MANY_WORDS = [f"ứ{i}" for i in range(120)]
WORD = re.compile(r"\w+")
# What the database engine puts around the words of a full-text expression (FTS5 on SQLite,
# tsquery on PostgreSQL): operators, quotes, parentheses, the title column, weights, and the
# marks of the narrow table's terms (search.matches: "@" a title word, "a.b" a pair).
SCAFFOLD = re.compile(r"\b(?:AND|OR|NOT|title_folded)\b|:\*?A\b|<->|[()\"'&|*:{}@.]")


def folded_words(text):
    return WORD.findall(fold_aligned(text.lower()))


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def body_words(body):
    """Every word of text the Elasticsearch body asks about (queries, suggestions)."""
    words = set()
    for node in walk(body):
        for key in ("query", "text"):
            if isinstance(node.get(key), str):
                words.update(folded_words(node[key]))
    return words


@contextlib.contextmanager
def sql_params():
    """The parameters of every SQL statement run inside the block, as the driver gets them."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def expressions(all_params):
    """The full-text expressions among the parameters sent to the database."""
    return [
        param
        for params in all_params
        for param in params or ()
        if isinstance(param, str) and ("(" in param or '"' in param or ":" in param)
    ]


def expression_words(all_params):
    """The words inside the full-text expressions sent to the database."""
    return {w for param in expressions(all_params) for w in SCAFFOLD.sub(" ", param).split()}


# --- Parsing -------------------------------------------------------------------------------


def test_the_query_is_cut_before_its_first_word_over_the_limit(settings):
    settings.SEARCH_MAX_WORDS = 3
    request = parse({"q": "Hồ sơ hồ sơ ho so giấy tờ công chứng"}, NO_SYNONYMS)
    # "hồ", "sơ", "ho", "so" are two words folded; repeats count once.
    assert request.text == "hồ sơ hồ sơ ho so giấy"
    assert [unit.text for unit in request.units] == ["ho", "so", "giay"]
    assert request.words_cut == 3


def test_a_query_within_the_limit_is_untouched(settings):
    settings.SEARCH_MAX_WORDS = 3
    request = parse({"q": "giấy tờ giấy tờ giấy"}, NO_SYNONYMS)
    assert request.text == "giấy tờ giấy tờ giấy"
    assert request.words_cut == 0


def test_a_repeated_word_is_asked_for_once():
    request = parse({"q": ("mã " * 166).strip()}, NO_SYNONYMS)
    assert [unit.text for unit in request.units] == ["ma"]
    request = parse({"q": " ".join(['"hồ sơ"'] * 60)}, NO_SYNONYMS)
    assert request.phrases == ["ho so"]


@pytest.mark.django_db
def test_each_word_brings_at_most_the_configured_number_of_synonyms(settings):
    settings.SEARCH_MAX_SYNONYMS = 3
    SynonymGroup.objects.create(terms="\n".join(["cổng"] + [f"cổng số {i}" for i in range(20)]))
    request = parse({"q": "cổng"})
    (unit,) = request.units
    assert unit.text == "cong"
    assert unit.alternatives == ["cong so 0", "cong so 1", "cong so 2"]
    body = build_search(request).to_dict()
    assert body_words(body) == {"cong", "so", "0", "1", "2"}


# --- What each engine receives -----------------------------------------------------------


def test_the_elasticsearch_body_holds_at_most_n_distinct_words(settings):
    limit = settings.SEARCH_MAX_WORDS
    request = parse({"q": " ".join(MANY_WORDS)}, NO_SYNONYMS)
    body = build_search(request).to_dict()
    first = {fold_aligned(word) for word in MANY_WORDS[:limit]}
    assert body_words(body) == first
    assert len(first) == limit


def test_the_elasticsearch_body_asks_about_each_repeated_word_once():
    request = parse({"q": ("thủ tục " * 60).strip()}, NO_SYNONYMS)
    body = build_search(request).to_dict()
    assert body["suggest"]["title_folded"]["text"] == "thu tuc"
    assert body["suggest"]["body_folded"]["text"] == "thu tuc"
    must = body["query"]["bool"]["must"][0]["bool"]["must"]
    assert len(must) == 2  # one clause per distinct word


def test_the_database_engine_receives_at_most_n_distinct_words(database_engine, settings):
    limit = settings.SEARCH_MAX_WORDS
    request = parse({"q": " ".join(MANY_WORDS)})
    with sql_params() as params:
        queries.run(request)
    assert expression_words(params) == {fold_aligned(word) for word in MANY_WORDS[:limit]}


def test_the_database_engine_receives_a_repeated_word_once(database_engine):
    request = parse({"q": ("mã " * 166).strip()})
    with sql_params() as params:
        queries.run(request)
    # The word once in each expression, whatever the number of repeats.
    assert expression_words(params) == {"ma"}
    assert all(len(WORD.findall(e)) == 1 for e in expressions(params))


def test_did_you_mean_looks_each_distinct_word_up_once(database_engine, settings):
    settings.SEARCH_MAX_WORDS = 4
    request = parse({"q": "khongco " * 30 + " ".join(MANY_WORDS[:20])})
    close = mock.Mock(wraps=database.difflib.get_close_matches)
    with mock.patch.object(database.difflib, "get_close_matches", close):
        results = queries.run(request)
    assert results.total == 0
    assert [c.args[0] for c in close.call_args_list] == ["khongco", "u0", "u1", "u2"]


def test_suggestions_receive_at_most_n_words(database_engine, settings):
    settings.SEARCH_MAX_WORDS = 3
    with sql_params() as params:
        queries.suggest("giảm phí lệ phí trực tuyến toàn trình")
    assert expression_words(params) == {"giam", "phi", "le"}


# --- What users see ------------------------------------------------------------------------


def test_extra_words_do_not_lose_what_the_first_words_find(client, engine, settings):
    settings.SEARCH_MAX_WORDS = 2
    first = client.get("/api/v1/search/", {"q": "giảm phí"}).json()
    longer = client.get("/api/v1/search/", {"q": "giảm phí " + " ".join(MANY_WORDS)}).json()
    assert "http://testserver" + FEES_URL in [result["url"] for result in first["results"]]
    assert longer["total"] == first["total"]
    assert [r["url"] for r in longer["results"]] == [r["url"] for r in first["results"]]


NOTICE = "chỉ 2 từ đầu tiên được dùng để tìm"


def test_the_api_says_which_words_were_used(client, database_engine, settings):
    settings.SEARCH_MAX_WORDS = 2
    data = client.get("/api/v1/search/", {"q": "Giảm phí lệ phí"}).json()
    assert data["notice"] == (
        "Từ khóa có nhiều hơn 2 từ khác nhau nên chỉ 2 từ đầu tiên được dùng để tìm: “giảm phí”."
    )
    assert client.get("/api/v1/search/", {"q": "giảm phí"}).json()["notice"] is None


def test_the_page_says_which_words_were_used(client, database_engine, settings):
    settings.SEARCH_MAX_WORDS = 2
    page = client.get("/tim-kiem/", {"q": "giảm phí lệ phí"}).content.decode()
    assert NOTICE in page
    assert "“giảm phí”" in page
    assert NOTICE not in client.get("/tim-kiem/", {"q": "giảm phí"}).content.decode()


def test_the_words_notice_comes_with_the_fallback_notice(client, seeded, no_search_node, settings):
    settings.SEARCH_MAX_WORDS = 2
    data = client.get("/api/v1/search/", {"q": "giảm phí lệ phí"}).json()
    assert data["engine"] == "database"
    assert NOTICE in data["notice"]
    assert queries.FALLBACK_NOTICE in data["notice"]
