"""The default synonym groups (search/data/synonyms.toml): the file's rules, what the
migrations install from it, that editors' groups win, and what a query becomes with them."""

import importlib
import pathlib
import re
import tomllib

from django.conf import settings

import pytest

from practices.text import fold
from search import synonyms
from search.models import SynonymGroup
from search.queries import parse

GROUPS = synonyms.read_data_file()
RAW_GROUPS = tomllib.loads(synonyms.DATA_FILE.read_text(encoding="utf-8"))["groups"]
DEFAULTS_0002 = importlib.import_module("search.migrations.0002_default_synonyms").DEFAULT_GROUPS
OLD = "0002_default_synonyms"
NEW = synonyms.DEFAULT_MIGRATION
CATALOGUE = pathlib.Path(settings.BASE_DIR) / "fixtures" / "seed" / "catalogue.toml"

# A rough Vietnamese syllable, folded: onset, vowel nucleus, final consonant. Folded "da"
# (đã, đà, da), "ca", "ai", "vat" (vạt) match; "hd", "cv", "ubnd", "byt", "ioc" do not. The
# onset "p" (only in loanwords: "pin") is left out, so "PA" (phương án) passes.
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnrstvx])?"
_OPEN_NUCLEI = "ai|ao|au|ay|eo|eu|ia|ieu|iu|oai|oao|oay|oeo|oi|ui|uoi|uou|uu|uya|uyu|y|yeu"
_CLOSABLE_NUCLEI = "a|e|i|ie|o|oa|oe|oo|u|ua|ue|uo|uy|uye|ye"
SYLLABLE = re.compile(
    rf"^{_ONSET}(?:(?:{_OPEN_NUCLEI})|(?:{_CLOSABLE_NUCLEI})(?:ch|ng|nh|[cmnpt])?)$"
)
# Single-word variants that are ordinary words on purpose, not abbreviations.
ORDINARY_WORDS = {"phi"}  # "phí" ↔ "lệ phí", a default of migration 0002


def variants_of(group):
    return [synonyms.folded(term) for term in group["terms"]]


def prose(node):
    """Every text of the seed catalogue written as prose (identifiers have no space)."""
    if isinstance(node, str):
        if " " in node:
            yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from prose(value)
    elif isinstance(node, list):
        for value in node:
            yield from prose(value)


def catalogue_words():
    """Folded words the seed catalogue writes as ordinary words (not in capitals)."""
    catalogue = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {
        fold(word)
        for text in prose(catalogue)
        for word in re.findall(r"\w+", text)
        if not (word.isupper() and len(word) > 1)
    }


# --- The file --------------------------------------------------------------------------------


def test_the_file_holds_a_few_hundred_groups():
    assert 250 <= len(GROUPS) <= 400


def test_every_group_is_well_formed():
    for raw, group in zip(RAW_GROUPS, GROUPS, strict=True):
        assert set(raw) <= {"terms", "source", "migration"}, raw
        assert all(isinstance(term, str) and term.strip() for term in raw["terms"]), raw
        assert len(set(variants_of(group)) - {""}) >= 2, group["terms"]
        assert group["source"], group["terms"]
        assert group["migration"] in {OLD, NEW}, group["terms"]
        # Every variant of a group is an alternative of the others: none may be cut off.
        assert len(group["terms"]) <= 1 + settings.SEARCH_MAX_SYNONYMS, group["terms"]
        # The note (canonical wording — source) fits without being cut.
        assert len(group["terms"][0] + synonyms.NOTE_SEPARATOR + group["source"]) <= 255


def test_new_groups_start_with_the_full_wording_and_repeat_no_variant():
    for group in GROUPS:
        if group["migration"] == OLD:
            continue  # kept word for word, abbreviation first
        assert not group["terms"][0].isupper(), group["terms"]
        variants = variants_of(group)
        assert len(set(variants)) == len(variants), group["terms"]


def test_no_folded_variant_is_in_two_groups():
    owner = {}
    clashes = []
    for group in GROUPS:
        for variant in set(variants_of(group)):
            if variant in owner:
                clashes.append((variant, owner[variant], group["terms"][0]))
            owner[variant] = group["terms"][0]
    assert not clashes


@pytest.mark.parametrize(
    ("token", "is_syllable"),
    [("da", True), ("ca", True), ("ai", True), ("vat", True), ("nghieng", True)]
    + [("hd", False), ("cv", False), ("ubnd", False), ("byt", False), ("pa", False)],
)
def test_the_syllable_pattern(token, is_syllable):
    assert bool(SYLLABLE.match(token)) is is_syllable


def test_no_single_word_variant_is_an_ordinary_word_once_folded():
    """ "ĐA" (đề án) would fold to "da" and expand every query holding "đã", "đà" or "da"."""
    words = catalogue_words()
    offending = [
        (term, variant, group["terms"][0])
        for group in GROUPS
        for term, variant in zip(group["terms"], variants_of(group), strict=True)
        if " " not in variant
        and variant not in ORDINARY_WORDS
        and (SYLLABLE.match(variant) or variant in words)
    ]
    assert not offending


def test_the_defaults_of_0002_are_in_the_file_word_for_word():
    kept = [synonyms.terms_text(g) for g in GROUPS if g["migration"] == OLD]
    assert kept == [terms for terms, _ in DEFAULTS_0002]


# --- The migrations ----------------------------------------------------------------------------


def stored_sets():
    return [synonyms.folded_set(group.variants) for group in SynonymGroup.objects.all()]


@pytest.mark.django_db
def test_the_migrations_install_every_group():
    assert SynonymGroup.objects.count() >= 250
    stored = stored_sets()
    missing = [g["terms"][0] for g in GROUPS if synonyms.folded_set(g["terms"]) not in stored]
    assert not missing
    bhxh = SynonymGroup.objects.get(terms__startswith="bảo hiểm xã hội\n")
    assert bhxh.note == "bảo hiểm xã hội — Luật Bảo hiểm xã hội 2024"


@pytest.mark.django_db
def test_adding_again_adds_nothing():
    count = SynonymGroup.objects.count()
    assert synonyms.add_missing(SynonymGroup) == []
    assert synonyms.add_missing(SynonymGroup, OLD) == []
    assert SynonymGroup.objects.count() == count


@pytest.mark.django_db
def test_an_editors_group_sharing_a_variant_is_kept_and_not_duplicated():
    SynonymGroup.objects.filter(terms__startswith="bảo hiểm xã hội\n").delete()
    editors = SynonymGroup.objects.create(terms="BHXH\nBH xã hội", note="biên tập viên")
    # An editor also deleted a default of 0002: a later migration must not bring it back.
    SynonymGroup.objects.filter(terms="lệ phí\nphí").delete()
    count = SynonymGroup.objects.count()

    assert synonyms.add_missing(SynonymGroup) == []
    assert SynonymGroup.objects.count() == count
    editors.refresh_from_db()
    assert (editors.terms, editors.note) == ("BHXH\nBH xã hội", "biên tập viên")
    assert [g for g in stored_sets() if "bhxh" in g] == [{"bhxh", "bh xa hoi"}]
    assert not SynonymGroup.objects.filter(terms="lệ phí\nphí").exists()


@pytest.mark.django_db
def test_going_back_removes_only_what_0004_wrote_unchanged():
    edited = SynonymGroup.objects.get(terms__startswith="mã số thuế\n")
    edited.note = "mã số thuế (ghi chú của biên tập viên)"
    edited.save()
    ours = [g for g in GROUPS if g["migration"] == NEW]

    assert synonyms.remove_added(SynonymGroup) == len(ours) - 1
    assert SynonymGroup.objects.count() == len(DEFAULTS_0002) + 1
    assert SynonymGroup.objects.filter(pk=edited.pk).exists()
    # Forward again: everything back but the edited group, which is there already.
    assert len(synonyms.add_missing(SynonymGroup)) == len(ours) - 1
    assert SynonymGroup.objects.count() == len(GROUPS)


# --- What a query becomes ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "unit", "alternative"),
    [
        ("BHXH", "bhxh", "bao hiem xa hoi"),
        ("bảo hiểm xã hội", "bao hiem xa hoi", "bhxh"),
        ("CCCD", "cccd", "can cuoc cong dan"),
        ("căn cước", "can cuoc", "cccd"),
        ("sổ đỏ", "so do", "giay chung nhan quyen su dung dat"),
        ("GCNQSDĐ", "gcnqsdd", "so hong"),
        ("Bộ Công an", "bo cong an", "bca"),
        ("BGDĐT", "bgddt", "bo giao duc va dao tao"),
        ("GPLX", "gplx", "giay phep lai xe"),
        ("Cổng DVCQG", "cong dvcqg", "cong dich vu cong quoc gia"),
        ("TTPVHCC", "ttpvhcc", "trung tam phuc vu hanh chinh cong"),
        ("CKS", "cks", "chu ky so"),
        ("qua mạng", "qua mang", "truc tuyen"),
        ("bản cứng", "ban cung", "ho so giay"),
        ("LLTP", "lltp", "phieu ly lich tu phap"),
        ("QĐ-TTg", "qd ttg", "quyet dinh cua thu tuong chinh phu"),
    ],
)
def test_an_abbreviation_or_variant_expands(q, unit, alternative):
    request = parse({"q": q})
    assert [u.text for u in request.units] == [unit]
    assert alternative in request.units[0].alternatives


@pytest.mark.django_db
def test_the_longest_variant_wins_among_plain_words():
    request = parse({"q": "đóng BHXH tự nguyện ở Hà Nội"})
    assert [u.text for u in request.units] == ["dong", "bhxh tu nguyen", "o", "ha noi"]
    assert "bao hiem xa hoi tu nguyen" in request.units[1].alternatives
    assert "hn" in request.units[3].alternatives


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["đã", "ca", "ai", "vạt", "đề án", "hồ sơ"])
def test_ordinary_words_are_not_expanded(q):
    assert all(unit.alternatives == [] for unit in parse({"q": q}).units)
