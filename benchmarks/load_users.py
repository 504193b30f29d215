"""The load test's users (Locust): visitors of the public site and reporters saving drafts.

Imported by `benchmarks/load.py` only after gevent has patched the standard library (as
`import locust` does): never from Django's processes or the tests.

Every request is named by its kind ("home", "search", "draft save"…); the kinds and the
target each belongs to are `KINDS`. A visitor sends each visit from a new client address
(X-Forwarded-For, from 198.18.0.0/15, the range set apart for benchmarks; only a header, no
traffic goes there): nginx on the loopback is a trusted proxy (TRUSTED_PROXIES), so the rate
limits count per visitor, at their production values, as they would for the many people
behind 100 requests a second. A reporter keeps one address, signs in once and then, again and
again, opens the edit form of its draft, writes a token of its own into "ghi chú" and saves
the draft; each save is recorded with its token and whether it got the success response.
"""

import html.parser
import itertools
import random
import ssl
import time
import urllib.parse
import uuid

from locust import FastHttpUser, between, constant_throughput, task

# kind -> the target group its p95 is held to (None: measured, no latency target).
KINDS = {
    "home": "pages",
    "catalogue": "pages",
    "practice": "pages",
    "matrix": "pages",
    "agency": "pages",
    "api list": "api",
    "api detail": "api",
    "suggest": "api",
    "search": "search",
    "search (no diacritics)": "search",
    "search (new words)": "search",
    "search api": "search",
    "download": None,
    "login": None,
    "draft form": None,
    "draft save": None,
}

# Set by load.py before each run: what the prepared database holds, and where the saves go.
PLAN = {}
SAVES = []  # one dict per draft save: token, adoption, ok, start, end, status
ENGINES = {}  # search api: engine -> answers
_visitor = itertools.count(1)


def configure(plan, rate):
    PLAN.clear()
    PLAN.update(plan)
    SAVES.clear()
    ENGINES.clear()
    Visitor.wait_time = constant_throughput(rate)
    PLAN["accounts"] = list(plan["reporters"])


def ssl_context():
    """TLS to nginx, checked against the certificate proxy.sh made (no `insecure`)."""
    context = ssl.create_default_context(cafile=PLAN["ca_file"])
    return context


def new_address():
    n = random.randrange(2, 2**17 - 2)  # 198.18.0.0/15
    return f"198.{18 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


class Visitor(FastHttpUser):
    """One stream of visits to the public site; each visit from a new client address."""

    weight = 1
    wait_time = constant_throughput(2)
    ssl_context_factory = staticmethod(ssl_context)
    insecure = False

    def visit(self, url, kind, check=None, **kwargs):
        headers = {"X-Forwarded-For": new_address(), "Accept-Language": "vi"}
        with self.client.get(url, name=kind, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            elif check is not None and (problem := check(r)):
                r.failure(problem)
            else:
                r.success()

    def pick(self, name):
        return random.choice(PLAN[name])

    @task(8)
    def home(self):
        self.visit("/", "home", html_page)

    @task(8)
    def catalogue(self):
        params = random.choice([{}, {}, {"nhom": self.pick("categories")}])
        self.visit(with_query("/sang-kien/", params), "catalogue", html_page)

    @task(12)
    def practice(self):
        self.visit(f"/sang-kien/{self.pick('practices')}/", "practice", html_page)

    @task(3)
    def matrix(self):
        self.visit("/ma-tran/", "matrix", html_page)

    @task(8)
    def agency(self):
        self.visit(f"/co-quan/{self.pick('agencies')}/", "agency", html_page)

    @task(10)
    def api_list(self):
        url = random.choice(
            [
                "/api/v1/practices/",
                f"/api/v1/practices/?category={self.pick('categories')}",
                "/api/v1/agencies/?kind=province",
                f"/api/v1/adoptions/?agency={self.pick('agency_codes')}",
                "/api/v1/adoptions/?status=adopted",
            ]
        )
        self.visit(url, "api list", json_answer)

    @task(8)
    def api_detail(self):
        url = random.choice(
            [
                f"/api/v1/practices/{self.pick('practices')}/",
                f"/api/v1/agencies/{self.pick('agencies')}/",
            ]
        )
        self.visit(url, "api detail", json_answer)

    @task(6)
    def search(self):
        self.visit(with_query("/tim-kiem/", {"q": self.pick("queries")}), "search", html_page)

    @task(6)
    def search_folded(self):
        url = with_query("/tim-kiem/", {"q": self.pick("folded_queries")})
        self.visit(url, "search (no diacritics)", html_page)

    @task(3)
    def search_new_words(self):
        # The long tail: two words of the queries, in an order no visitor asked before (most
        # likely), so that no cache has the answer and the engine does the work.
        words = random.sample(PLAN["words"], 2)
        url = with_query("/tim-kiem/", {"q": " ".join(words)})
        self.visit(url, "search (new words)", html_page)

    @task(4)
    def search_api(self):
        url = with_query("/api/v1/search/", {"q": self.pick("queries")})
        self.visit(url, "search api", search_answer)

    @task(14)
    def suggest(self):
        url = with_query("/api/v1/search/suggest/", {"q": self.pick("prefixes")})
        self.visit(url, "suggest", json_answer)

    @task(3)
    def download(self):
        self.visit(self.pick("downloads"), "download", csv_file)


class Reporter(FastHttpUser):
    """A reporter of one province: signs in once, then saves drafts of its report."""

    fixed_count = 0  # load.py sets it
    wait_time = between(2, 4)
    ssl_context_factory = staticmethod(ssl_context)
    insecure = False

    def on_start(self):
        self.account = PLAN["accounts"].pop()
        self.address = new_address()
        self.saves = itertools.count(1)
        self.signed_in = False
        self.sign_in()

    def headers(self, referer=None):
        headers = {"X-Forwarded-For": self.address, "Accept-Language": "vi"}
        if referer:
            headers["Referer"] = PLAN["url"] + referer
            headers["Origin"] = PLAN["url"]
        return headers

    def sign_in(self):
        login = "/admin/login/"
        page = self.client.get(login, name="login", headers=self.headers())
        fields = form_fields(page.text or "", "username")
        if fields is None:
            return
        fields = [(k, v) for k, v in fields if k not in ("username", "password")]
        fields += [("username", self.account["username"]), ("password", self.account["password"])]
        with self.client.post(
            login,
            name="login",
            data=urllib.parse.urlencode(fields),
            headers=self.headers(login) | FORM,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and "/login/" not in answer.headers.get("Location", ""):
                self.signed_in = True
                answer.success()
            else:
                answer.failure(f"sign-in refused (HTTP {answer.status_code})")

    @task
    def save_draft(self):
        if not self.signed_in:
            self.sign_in()
            return
        edit = self.account["edit_url"]
        with self.client.get(
            edit, name="draft form", headers=self.headers(), catch_response=True
        ) as page:
            fields = form_fields(page.text or "", "notes") if page.status_code == 200 else None
            if fields is None:
                page.failure(f"no edit form (HTTP {page.status_code})")
                return
            page.success()
        token = f"load-{uuid.uuid4().hex}"
        data = [(k, v) for k, v in fields if k != "notes"] + [("notes", token)]
        record = {"token": token, "adoption": self.account["adoption"], "start": time.time()}
        with self.client.post(
            edit,
            name="draft save",
            data=urllib.parse.urlencode(data),
            headers=self.headers(edit) | FORM,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            record |= {"end": time.time(), "status": answer.status_code}
            # Saved: Wagtail sends the editor back to the edit view of the same report.
            record["ok"] = answer.status_code == 302 and answer.headers.get(
                "Location", ""
            ).endswith(edit)
            SAVES.append(record)
            if record["ok"]:
                answer.success()
            else:
                answer.failure(f"draft not saved (HTTP {answer.status_code})")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def with_query(path, params):
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


def html_page(response):
    text = response.text or ""
    if "</html>" not in text[-200:]:
        return "not a whole page"
    return None


def json_answer(response):
    try:
        response.json()
    except ValueError:
        return "not JSON"
    return None


def search_answer(response):
    try:
        answer = response.json()
    except ValueError:
        return "not JSON"
    engine = answer.get("engine", "?")
    ENGINES[engine] = ENGINES.get(engine, 0) + 1
    return None


def csv_file(response):
    content = response.content or b""
    if not content or b"\n" not in content:
        return "empty file"
    return None


class _Form(html.parser.HTMLParser):
    """The fields a browser would send of the form that holds `wanted` (a field's name):
    inputs (checked boxes only, no buttons or files), selects (the selected option, else the
    first) and text areas."""

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.forms, self.current = wanted, [], None
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if not a.get("name") or kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.current.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self.select = [a["name"], None, None, "multiple" in a]
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select[2] is None:
                self.select[2] = value
            if "selected" in a:
                if self.select[3]:
                    self.current.append((self.select[0], value))
                self.select[1] = value
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None:
            name, chosen, first, multiple = self.select
            if not multiple and (chosen is not None or first is not None):
                self.current.append((name, chosen if chosen is not None else first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            # The HTML parser keeps the newline a browser drops after <textarea>.
            self.current.append((self.textarea[0], value[1:] if value.startswith("\n") else value))
            self.textarea = None


def form_fields(page, wanted):
    """[(name, value)] of the form of `page` that has a field named `wanted`, or None."""
    parser = _Form(wanted)
    parser.feed(page)
    for form in parser.forms:
        if any(name == wanted for name, _ in form):
            return form
    return None
