"""The relevance set (relevance.toml): natural queries over the seeded catalogue and what
must come back in the first three results, on both engines. One test per engine runs the
whole set and lists every query that misses, with what came back instead."""

import pathlib
import tomllib

import pytest

from search import queries
from search.models import SearchDocument

TOP = 3
CASES = tomllib.loads(
    pathlib.Path(__file__).with_name("relevance.toml").read_text(encoding="utf-8")
)["queries"]


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def engine(request, seeded, settings):
    if request.param == "database":
        settings.ELASTICSEARCH_URL = ""
    else:
        request.getfixturevalue("search_index")
    return request.param


def expectations(case):
    return [*case.get("top3", []), *case.get("any_top3", [])]


def test_the_set_is_well_formed():
    assert 30 <= len(CASES) <= 45
    assert len({case["q"] for case in CASES}) == len(CASES)
    for case in CASES:
        assert set(case) <= {"q", "top3", "any_top3"}, case
        assert expectations(case), case


def test_every_expected_result_exists(seeded):
    """A typo in relevance.toml must fail here, not pass as a ranking problem."""
    rows = SearchDocument.objects.filter(deleted=False)
    known = set(rows.values_list("url", flat=True)) | set(rows.values_list("title", flat=True))
    missing = [(case["q"], e) for case in CASES for e in expectations(case) if e not in known]
    assert not missing


def misses(case, hits):
    top = hits[:TOP]
    found = {hit.url for hit in top} | {hit.title for hit in top}
    problems = [e for e in case.get("top3", []) if e not in found]
    alternatives = case.get("any_top3", [])
    if alternatives and not any(e in found for e in alternatives):
        problems.append("one of " + " | ".join(alternatives))
    return problems


def test_relevance_set(engine):
    failures = []
    for case in CASES:
        results = queries.run(queries.parse({"q": case["q"]}))
        assert results.engine == engine
        problems = misses(case, results.hits)
        if problems:
            top = "\n".join(
                f"      {n}. [{hit.type}] {hit.title[:90]} ({hit.url}) score={hit.score}"
                for n, hit in enumerate(results.hits[:TOP], 1)
            )
            failures.append(
                f"  {case['q']!r} ({results.total} results)\n"
                f"    expected in top {TOP}: {'; '.join(problems)}\n"
                f"    got:\n{top or '      (nothing)'}"
            )
    if failures:
        pytest.fail(
            f"{engine}: {len(failures)} of {len(CASES)} queries miss their expected results:\n"
            + "\n".join(failures),
            pytrace=False,
        )
