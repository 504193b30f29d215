"""The relevance set (relevance.toml): natural queries over the seeded catalogue and what
must come back in the first three results, on both engines. One test per engine runs the
whole set and lists every query that misses, with what came back instead, under the set's
figures: the share of queries whose expected results are all in the top 3, and the mean
reciprocal rank.

The figures are computed by `benchmarks/relevance.py`, which also runs the set on its own
database and index and prints them. A query's rank is read from the first page (10 results):
for `top3`, the place of the expected result that comes last, as all of them are required;
for `any_top3`, the place of the alternative that comes first; with both, the later of the
two; 0 when an expected result is not on the page. Its reciprocal rank is 1/rank (0 for 0).
"""

import types

import pytest

from benchmarks.relevance import TOP, expectations, figures, load_cases, misses, rank
from search import queries
from search.models import DocumentType, SearchDocument

CASES = load_cases()
PER_PRACTICE = 5


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def engine(request, seeded, settings):
    if request.param == "database":
        settings.ELASTICSEARCH_URL = ""
    else:
        request.getfixturevalue("search_index")
    return request.param


def test_the_set_is_well_formed():
    assert 70 <= len(CASES) <= 110
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


def test_every_practice_is_asked_for_at_least_five_times(seeded):
    practices = SearchDocument.objects.filter(deleted=False, type=DocumentType.PRACTICE)
    urls = set(practices.values_list("url", flat=True))
    assert len(urls) == 6
    asked = {url: sum(url in expectations(case) for case in CASES) for url in urls}
    assert all(n >= PER_PRACTICE for n in asked.values()), asked


def Hit(url, title=""):  # noqa: N802 (stands for search.queries.Hit)
    return types.SimpleNamespace(url=url, title=title)


def test_a_rank_is_the_worst_required_place_and_the_best_alternative():
    hits = [Hit("/a/"), Hit("/b/", "B"), Hit("/c/"), Hit("/d/")]
    assert rank({"q": "", "top3": ["/a/"]}, hits) == 1
    assert rank({"q": "", "top3": ["/a/", "B"]}, hits) == 2  # found by title
    assert rank({"q": "", "top3": ["/a/", "/x/"]}, hits) == 0
    assert rank({"q": "", "any_top3": ["/x/", "/d/", "/c/"]}, hits) == 3
    assert rank({"q": "", "any_top3": ["/x/"]}, hits) == 0
    assert rank({"q": "", "top3": ["/a/"], "any_top3": ["/d/"]}, hits) == 4
    assert rank({"q": "", "top3": ["/a/"], "any_top3": ["/x/"]}, hits) == 0
    # Only the first page counts.
    page = [Hit(f"/{n}/") for n in range(1, 12)]
    assert rank({"q": "", "top3": ["/10/"]}, page) == 10
    assert rank({"q": "", "top3": ["/11/"]}, page) == 0
    assert misses({"q": "", "top3": ["/a/", "/d/"], "any_top3": ["/x/"]}, hits) == [
        "/d/",
        "one of /x/",
    ]


def test_the_figures_are_the_share_in_the_top_3_and_the_mean_reciprocal_rank():
    assert figures([1, 2, 4, 0]) == {
        "queries": 4,
        "in_top3": 2,
        "share_top3": 0.5,
        "mrr": (1 + 1 / 2 + 1 / 4) / 4,
    }
    assert figures([])["mrr"] == 0


def test_relevance_set(engine):
    failures, ranks = [], []
    for case in CASES:
        results = queries.run(queries.parse({"q": case["q"]}))
        assert results.engine == engine
        ranks.append(rank(case, results.hits))
        problems = misses(case, results.hits)
        assert (not problems) == (0 < ranks[-1] <= TOP), case  # the two readings agree
        if problems:
            top = "\n".join(
                f"      {n}. [{hit.type}] {hit.title[:90]} ({hit.url}) score={hit.score}"
                for n, hit in enumerate(results.hits[:TOP], 1)
            )
            failures.append(
                f"  {case['q']!r} ({results.total} results, rank {ranks[-1]})\n"
                f"    expected in top {TOP}: {'; '.join(problems)}\n"
                f"    got:\n{top or '      (nothing)'}"
            )
    measured = figures(ranks)
    summary = (
        f"{engine}: {measured['in_top3']} of {measured['queries']} queries in the top {TOP} "
        f"({measured['share_top3']:.1%}), MRR {measured['mrr']:.3f}"
    )
    print(summary)  # shown with -rP
    if failures:
        pytest.fail(
            f"{summary}. Missing from the top {TOP} ({len(failures)}):\n" + "\n".join(failures),
            pytrace=False,
        )
