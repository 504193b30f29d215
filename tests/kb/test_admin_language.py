"""The admin speaks Vietnamese to every user whatever their browser asks for, and English
only to a user who chose it in their account.

Each role's tour (the screens an official of that role opens, and the messages its main
actions answer with) is requested with an English `Accept-Language`, and no screen may show
an English string of Wagtail's or Django's own catalogues (tests/kb/english_strings.py). A
new screen is one line in a tour below.

When this test names an English string, give its msgid a Vietnamese msgstr in
locale/vi/LC_MESSAGES/django.po (the msgid as the catalogue writes it, placeholders
included: the `#:` lines of the package's locale/en/LC_MESSAGES/django.po say where it comes
from), run `make messages`, and commit the .po and the .mo. A string written into a Wagtail
template without a catalogue entry needs that template overridden under templates/.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import wagtail.admin
from wagtail.users.models import UserProfile

import polib
import pytest

from practices.models import Adoption, Agency, PracticeIndexPage, PracticePage
from reporting.roles import EDITORS, REVIEWERS
from tests.kb.english_strings import english_in

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
MODAL = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
ADOPTIONS = "wagtailsnippets_practices_adoption"
AGENCIES = "wagtailsnippets_practices_agency"
PASSWORD = "mat-khau-thu-2025"
PRACTICE = "tro-ly-ao-huong-dan-dvctt"
WAGTAIL_TEMPLATES = Path(wagtail.admin.__file__).parent / "templates"
PROJECT_TEMPLATES = Path(settings.BASE_DIR) / "templates"


@dataclass
class Screen:
    """One screen: its URL, built from the tour's records (`Tour`), and for a form that is
    submitted, the data posted (the screen is then the page the answer leads to)."""

    name: str
    url: object  # callable(tour) -> str
    post: object = None  # callable(tour) -> dict
    headers: dict = field(default_factory=dict)


def url(name, *attributes, query=""):
    """The URL named `name`, its arguments the tour's attributes named in `attributes`."""
    return lambda tour: reverse(name, args=[getattr(tour, a) for a in attributes]) + query


def workflow_url(view, action, adoption):
    task_state = adoption.current_workflow_state.current_task_state
    return reverse(f"{ADOPTIONS}:{view}", args=[adoption.pk, action, task_state.pk])


def workflow(view, action, report="submitted"):
    """A workflow action's URL for one of the tour's reports, at its current task."""
    return lambda tour: workflow_url(view, action, getattr(tour, report))


def new_practice(tour):
    return reverse("wagtailadmin_pages:add", args=["practices", "practicepage", tour.index_pk])


SIGNED_OUT = [
    Screen("sign-in", url("wagtailadmin_login")),
    Screen(
        "sign-in refused",
        url("wagtailadmin_login"),
        post=lambda tour: {"username": "khong-co", "password": "sai-mat-khau"},
    ),
    Screen("password reset", url("wagtailadmin_password_reset")),
    Screen(
        "password reset, bad address",
        url("wagtailadmin_password_reset"),
        post=lambda tour: {"email": "khong-phai-dia-chi"},
    ),
    Screen("password reset sent", url("wagtailadmin_password_reset_done")),
    Screen("new password", lambda tour: tour.reset_link),
    Screen(
        "new password, too short",
        lambda tour: tour.reset_link,
        post=lambda tour: {"new_password1": "abc", "new_password2": "abd"},
    ),
    Screen("password reset done", url("wagtailadmin_password_reset_complete")),
]

# Every signed-in role opens these.
EVERY_ROLE = [
    Screen("dashboard", url("wagtailadmin_home")),
    Screen("account", url("wagtailadmin_account")),
    Screen("adoption list", url(f"{ADOPTIONS}:list")),
    Screen("adoption list, no match", url(f"{ADOPTIONS}:list", query="?q=khongcoketqua")),
    Screen("adoption add", url(f"{ADOPTIONS}:add")),
    Screen(
        "adoption add, errors",
        url(f"{ADOPTIONS}:add"),
        post=lambda tour: tour.adoption_form(practice="", decided_on="31/31/2025"),
    ),
    Screen("adoption edit, draft", url(f"{ADOPTIONS}:edit", "draft_pk")),
    Screen("adoption edit, submitted", url(f"{ADOPTIONS}:edit", "submitted_pk")),
    Screen("adoption edit, returned", url(f"{ADOPTIONS}:edit", "returned_pk")),
    Screen("adoption history", url(f"{ADOPTIONS}:history", "submitted_pk")),
    Screen("adoption workflow history", url(f"{ADOPTIONS}:workflow_history", "returned_pk")),
    Screen("agency chooser", url("wagtailsnippetchoosers_practices_agency:choose"), headers=MODAL),
    Screen(
        "agency chooser, search",
        url("wagtailsnippetchoosers_practices_agency:choose_results", query="?q=bac ninh"),
        headers=MODAL,
    ),
    Screen(
        "practice chooser",
        url("wagtailadmin_choose_page", query="?page_type=practices.practicepage"),
        headers=MODAL,
    ),
    Screen(
        "“learnt from” chooser",
        url("wagtailsnippetchoosers_practices_adoption:choose"),
        headers=MODAL,
    ),
    Screen("adoption import", url("practices_import:upload")),
    Screen("adoption import preview", url("practices_import:status", "preview_job")),
]

# What the role's main actions answer (each changes the tour's records: they come last).
REPORTER_ACTIONS = [
    Screen(
        "draft saved",
        url(f"{ADOPTIONS}:edit", "draft_pk"),
        post=lambda tour: tour.adoption_form(tour.draft),
    ),
    Screen(
        "draft submitted",
        url(f"{ADOPTIONS}:edit", "draft_pk"),
        post=lambda tour: tour.adoption_form(tour.draft, **{"action-submit": "1"}),
    ),
]

TOURS = {
    # A reporter's first sign-in, before any report of theirs.
    "new reporter": [
        Screen("dashboard", url("wagtailadmin_home")),
        Screen("adoption list, empty", url(f"{ADOPTIONS}:list")),
        Screen("adoption add", url(f"{ADOPTIONS}:add")),
    ],
    "reporter": [*EVERY_ROLE, *REPORTER_ACTIONS],
    "reviewer": [
        *EVERY_ROLE,
        Screen(
            "approve with evidence check", workflow("workflow_action", "approve"), headers=MODAL
        ),
        Screen(
            "approve with edits",
            workflow("collect_workflow_action_data", "approve"),
            headers=MODAL,
        ),
        Screen("return", workflow("workflow_action", "reject"), headers=MODAL),
        Screen(
            "return without a comment",
            workflow("workflow_action", "reject"),
            post=lambda tour: {"comment": ""},
            headers=MODAL,
        ),
        Screen("workflows report", url("wagtailadmin_reports:workflow")),
        Screen("workflow tasks report", url("wagtailadmin_reports:workflow_tasks")),
        Screen("site history", url("reporting_site_history")),
        Screen(
            "returned",
            workflow("workflow_action", "reject"),
            post=lambda tour: {"comment": "Thiếu quyết định đã ký"},
        ),
        Screen(
            "approved",
            workflow("workflow_action", "approve", report="resubmitted"),
            post=lambda tour: {"evidence_checked": "on", "comment": ""},
        ),
    ],
    "editor": [
        *EVERY_ROLE,
        Screen("explorer", url("wagtailadmin_explore_root")),
        Screen("practice list", url("wagtailadmin_explore", "index_pk")),
        Screen("page search", url("wagtailadmin_pages:search", query="?q=trợ lý")),
        Screen("practice edit", url("wagtailadmin_pages:edit", "practice_pk")),
        Screen("practice history", url("wagtailadmin_pages:history", "practice_pk")),
        Screen("practice revisions", url("wagtailadmin_pages:revisions_index", "practice_pk")),
        Screen("new page type", url("wagtailadmin_pages:add_subpage", "index_pk")),
        Screen("practice create", new_practice),
        Screen(
            "practice create, slug taken",
            new_practice,
            post=lambda tour: tour.practice_form(slug=PRACTICE),
        ),
        Screen("snippets", url("wagtailsnippets:index")),
        Screen("agency list", url(f"{AGENCIES}:list")),
        Screen("agency list, page 2", url(f"{AGENCIES}:list", query="?p=2")),
        Screen("agency edit", url(f"{AGENCIES}:edit", "bac_ninh_pk")),
        Screen("agency import", url("practices_import:upload_agencies")),
        Screen("practice import", url("practices_import:upload_practices")),
        Screen("document chooser", url("wagtaildocs_chooser:choose"), headers=MODAL),
        Screen("practice created", new_practice, post=lambda tour: tour.practice_form()),
        Screen(
            "practice published",
            url("wagtailadmin_pages:edit", "practice_pk"),
            post=lambda tour: tour.practice_form(
                tour.practice, slug=PRACTICE, **{"action-publish": "1"}
            ),
        ),
    ],
}


def make_user(username, group=None, reporter_of=None):
    if reporter_of:
        call_command(
            "create_reporter",
            username,
            "--agency",
            reporter_of,
            "--password",
            PASSWORD,
            stdout=None,
        )
        user = get_user_model().objects.get(username=username)
    else:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=group))
    user.first_name, user.last_name = "Cán bộ", "Nhập liệu"
    user.email = f"{username}@example.org"
    user.save()
    return user


class Tour:
    """The records the screens show: Bắc Ninh's reporter's draft, a report awaiting review,
    one returned and one resubmitted, and an import preview of the signed-in user."""

    def __init__(self, client):
        self.client = client
        self.practice = PracticePage.objects.get(slug=PRACTICE)
        self.practice_pk = self.practice.pk
        self.index_pk = PracticeIndexPage.objects.get().pk
        self.bac_ninh = Agency.objects.resolve("24")
        self.bac_ninh_pk = self.bac_ninh.pk
        # Lạng Sơn's new reporter starts with an empty list.
        Adoption.objects.filter(agency__in=[self.bac_ninh, Agency.objects.resolve("20")]).delete()
        self.users = {
            "new reporter": make_user("baocao-ls", reporter_of="20"),
            "reporter": make_user("baocao-bn", reporter_of="24"),
            "reviewer": make_user("thamdinh-1", group=REVIEWERS),
            "editor": make_user("bientap-1", group=EDITORS),
        }
        self.draft = self.report(status="planned")
        self.submitted = self.report(status="piloting", submit=True)
        self.returned = self.report(status="adopted", submit=True)
        self.resubmitted = self.report(status="adopted", submit=True)
        self.client.force_login(self.users["reviewer"])
        for report in (self.returned, self.resubmitted):
            self.client.post(
                workflow_url("workflow_action", "reject", report),
                {"comment": "Thiếu quyết định đã ký"},
            )
        self.client.force_login(self.users["reporter"])
        self.client.post(
            reverse(f"{ADOPTIONS}:edit", args=[self.resubmitted.pk]),
            self.adoption_form(self.resubmitted, **{"action-submit": "1"}),
        )
        self.draft_pk, self.submitted_pk = self.draft.pk, self.submitted.pk
        self.returned_pk = self.returned.pk
        self.client.logout()

    def adoption_form(self, adoption=None, **fields):
        data = {
            "practice": adoption.practice_id if adoption else self.practice.pk,
            "agency": self.bac_ninh.pk,
            "status": adoption.status if adoption else "piloting",
            "decided_on": "2025-09-01",
            "instrument": "Quyết định số 12/QĐ-UBND",
            "evidence_level": "self-declared",
            "results-TOTAL_FORMS": "0",
            "results-INITIAL_FORMS": "0",
            "results-MIN_NUM_FORMS": "0",
            "results-MAX_NUM_FORMS": "1000",
            "steps-TOTAL_FORMS": "0",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000",
        }
        return {**data, **fields}

    def report(self, status, submit=False):
        """A report of the reporter's, on a practice Bắc Ninh has no report of yet."""
        self.client.force_login(self.users["reporter"])
        practice = PracticePage.objects.exclude(adoptions__agency=self.bac_ninh).first()
        data = self.adoption_form(practice=practice.pk, status=status)
        if submit:
            data["action-submit"] = "1"
        response = self.client.post(reverse(f"{ADOPTIONS}:add"), data)
        assert response.status_code == 302, response.context["form"].errors
        return Adoption.objects.get(agency=self.bac_ninh, practice=practice)

    def practice_form(self, page=None, **fields):
        data = {
            "title": page.title if page else "Cổng tiếp nhận phản ánh trực tuyến",
            "slug": "cong-tiep-nhan-phan-anh",
            "summary": "Tóm tắt",
            "category": self.practice.category_id,
            "body-count": "0",
            "legal_basis": "",
        }
        return {**data, **fields}

    def start(self, role):
        """Sign in as the role's user (signed out for None), with an import preview of theirs."""
        self.client.logout()
        editor = self.users["editor"]
        self.reset_link = reverse(
            "wagtailadmin_password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(editor.pk)),
                default_token_generator.make_token(editor),
            ],
        )
        if role is None:
            return
        self.client.force_login(self.users[role])
        self.preview_job = self.import_preview()

    def import_preview(self):
        """A dry run of a two-row file, one row with an error."""
        data = (
            "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản,Minh chứng,Mức minh chứng\n"
            f"{PRACTICE},24,thí điểm,01/09/2025,Quyết định số 7/QĐ-UBND,,\n"
            "khong-co-sang-kien-nay,24,thí điểm,01/09/2025,,,\n"
        ).encode()
        response = self.client.post(
            reverse("practices_import:upload"),
            {"file": SimpleUploadedFile("bao-cao.csv", data, "text/csv")},
        )
        if response.status_code != 302:  # a user who may not import adoptions
            return None
        return response["Location"].rstrip("/").split("/")[-1]

    def html(self, screen):
        """The screen as the browser gets it (a modal: the HTML its JSON carries)."""
        path = screen.url(self)
        headers = {**ENGLISH_BROWSER, **screen.headers}
        if screen.post:
            response = self.client.post(path, screen.post(self), follow=True, **headers)
        else:
            response = self.client.get(path, follow=True, **headers)
        assert response.status_code == 200, f"{screen.name}: {path} answered {response.status_code}"
        if response["Content-Type"].startswith("application/json"):
            return response.json().get("html", "")
        return response.content.decode()


@pytest.fixture
def tour(client, seeded, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return Tour(client)


@pytest.mark.parametrize("role", [None, *TOURS])
def test_no_english_catalogue_string_on_a_roles_tour(tour, role):
    tour.start(role)
    found = []
    for screen in SIGNED_OUT if role is None else TOURS[role]:
        for phrase, context in english_in(tour.html(screen)).items():
            found.append(f"{screen.name}: “{phrase}” in “{context}”")
    if found:
        pytest.fail("English on the screens:\n" + "\n".join(found), pytrace=False)


def test_an_english_browser_gets_the_vietnamese_admin(client, seeded):
    page = client.get(reverse("wagtailadmin_login"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="vi"' in page
    assert "Tên đăng nhập" in page and "Username" not in page
    assert "Accept-Language" not in client.get("/", **ENGLISH_BROWSER).get("Vary", "")


def test_a_user_who_chooses_english_in_their_account_gets_english(client, seeded):
    user = make_user("bientap-en", group=EDITORS)
    client.force_login(user)
    home = reverse("wagtailadmin_home")
    vietnamese = client.get(home, **ENGLISH_BROWSER).content.decode()
    assert '<html lang="vi"' in vietnamese and "Trang tổng quan" in vietnamese

    # The account form as the browser sends it, with "English" chosen.
    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-first_name": user.first_name,
            "name_email-last_name": user.last_name,
            "name_email-email": user.email,
            "notifications-submitted_notifications": "on",
            "theme-theme": "system",
            "theme-contrast": "system",
            "theme-density": "default",
            "theme-keyboard_shortcuts": "on",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
        },
    )
    assert response.status_code == 302
    assert UserProfile.get_for_user(user).preferred_language == "en"
    # Whatever the browser says: English now, even to a Vietnamese browser.
    english = client.get(home, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en"' in english and "Dashboard" in english

    # Others keep Vietnamese.
    client.force_login(make_user("bientap-vi", group=EDITORS))
    assert '<html lang="vi"' in client.get(home, **ENGLISH_BROWSER).content.decode()


# Wagtail templates that write an English string without its catalogue (or print None), and
# the change our copy under templates/ makes. Wagtail's template changing in an upgrade fails
# the test below: copy the new one and apply the same change.
TEMPLATE_FIXES = {
    "wagtailadmin/shared/headers/_actions.html": [
        ("{# Actions divider #}", "{% load i18n %}{# Actions divider #}"),
        ('aria-label="Actions"', "aria-label=\"{% trans 'Actions' %}\""),
    ],
    "wagtailadmin/shared/header.html": [('value="Search"', "value=\"{% trans 'Search' %}\"")],
    "wagtailadmin/home.html": [('value="Search"', "value=\"{% trans 'Search' %}\"")],
    # The page search has no model name: "1-1 of 1 None".
    "wagtailadmin/pages/listing/_page_title_column_header.html": [
        (
            "items_count=items_count|intcomma %}",
            "items_count=items_count|intcomma model_name=model_name|default_if_none:'' %}",
        )
    ],
}


@pytest.mark.parametrize("name", TEMPLATE_FIXES)
def test_overridden_wagtail_templates_differ_from_wagtails_only_by_their_fix(name):
    original = (WAGTAIL_TEMPLATES / name).read_text(encoding="utf-8")
    expected = original
    for old, new in TEMPLATE_FIXES[name]:
        assert old in original, f"{name}: Wagtail's template no longer has {old!r}"
        expected = expected.replace(old, new)
    assert (PROJECT_TEMPLATES / name).read_text(encoding="utf-8") == expected


def test_the_admin_scripts_speak_vietnamese_to_an_english_browser(client, seeded):
    """Wagtail's scripts draw part of every editor screen (the minimap's "Collapse all", the
    comments, the block chooser) from its JavaScript catalogue, which the screens' HTML does
    not contain: each of its msgids has a Vietnamese translation there."""
    client.force_login(make_user("bientap-js", group=EDITORS))
    script = client.get(reverse("wagtailadmin_javascript_catalog"), **ENGLISH_BROWSER)
    catalog = json.loads(
        re.search(r"const newcatalog = (\{.*?\});\n", script.content.decode(), re.S)[1]
    )
    english = polib.pofile(
        str(Path(wagtail.admin.__file__).parent / "locale/en/LC_MESSAGES/djangojs.po")
    )
    missing = [entry.msgid for entry in english if not catalog.get(entry.msgid)]
    assert not missing, missing
    assert catalog["Collapse all"] == "Thu gọn tất cả"
