"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import csp.constants
import dj_database_url

from kb import formats

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "kb",
    "ops",
    "practices",
    "search",
    "reporting",
    "imports",
    "indicators",
    "dashboards",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.WagtailUsersConfig",  # wagtail.users, its lists searched folded
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
    "corsheaders",
    "opendata",
    "django_ratelimit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before the host check and the HTTPS redirect (ops/health.py).
    "ops.health.HealthMiddleware",
    # A request id on every log line and in X-Request-ID; one access line (ops/requests.py).
    "ops.requests.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware: an API answer carries its CORS headers whatever follows.
    "corsheaders.middleware.CorsMiddleware",
    # ETag from the body and 304 on a match (If-None-Match, If-Modified-Since), for the
    # Last-Modified the next one sets on the open-data API (opendata/middleware.py).
    "django.middleware.http.ConditionalGetMiddleware",
    # Anonymous answers from the shared cache (ops/pagecache.py); inside the ETag and 304 step,
    # outside what a cached answer carries (its Last-Modified, X-Frame-Options).
    "ops.pagecache.PageCacheMiddleware",
    "opendata.middleware.LastModifiedMiddleware",
    # A POST that the proxy sends again after an app server died is carried out once; around
    # everything that writes (the session too), in one transaction (ops/retries.py).
    "ops.retries.RetriedPostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese whatever the browser asks for (kb/language.py); not Django's LocaleMiddleware.
    "kb.language.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Library documents served as private evidence (practices.evidence) are not cached.
    "practices.evidence.middleware.PrivateDocumentMiddleware",
]

ROOT_URLCONF = "kb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "kb.wsgi.application"

# SQLite is the zero-setup default; PostgreSQL in CI and production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # The import worker holds one write transaction for a whole file; in WAL mode the web
    # process still reads meanwhile (status pages, sessions). Writes still wait for it.
    # Reads through a memory map: each request opens a new connection, whose own page cache
    # starts empty; mapped pages are the system's cache, read without a copy (a search that
    # reads the full-text index took about 200 ms at 100,000 rows without, 130 ms with).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA mmap_size=1073741824;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese for the public site and the admin, whatever the browser's language; a user may
# choose English for the admin in their account (kb/language.py).
LANGUAGE_CODE = "vi"
# Wagtail's sign-in form with a translated password label (accounts/forms.py).
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are typed and shown as dd/mm/yyyy in every language (kb/formats): Wagtail's date
# pickers write the first input format, which the forms then read back.
FORMAT_MODULE_PATH = ["kb.formats"]
DATE_INPUT_FORMATS = formats.DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = formats.DATETIME_INPUT_FORMATS
WAGTAIL_DATE_FORMAT = formats.DATE_INPUT_FORMATS[0]
WAGTAIL_DATETIME_FORMAT = formats.DATETIME_INPUT_FORMATS[0]
WAGTAIL_TIME_FORMAT = formats.TIME_INPUT_FORMATS[0]

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"

# Evidence files of adoption reports: outside MEDIA_ROOT, under no public URL; only the
# evidence view (practices.evidence) reads them, after asking the permission policy.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
# The dated packages of the public data (opendata/snapshots.py, `manage.py publish_snapshot`),
# listed and served at /du-lieu-mo/ban-sao/.
SNAPSHOTS_ROOT = Path(os.environ.get("SNAPSHOTS_ROOT", BASE_DIR / "var" / "snapshots"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": {"BACKEND": "practices.evidence.storage.EvidenceStorage"},
}

# Serving files after a permission check. Unset, the app streams them itself. Set, it answers
# with an `X-Accel-Redirect` to this prefix and the web server sends the file from an
# `internal` location (README, Security): evidence from PRIVATE_MEDIA_ROOT, Wagtail documents
# from MEDIA_ROOT.
EVIDENCE_ACCEL_REDIRECT_PREFIX = os.environ.get("EVIDENCE_ACCEL_REDIRECT_PREFIX", "")
DOCUMENTS_ACCEL_REDIRECT_PREFIX = os.environ.get("DOCUMENTS_ACCEL_REDIRECT_PREFIX", "")
# Documents always go through Wagtail's serve view (never a direct storage URL), so that its
# `before_serve_document` hooks, the evidence rule among them, are asked on every download.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "kb.sendfile"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploads: evidence files and documents are small office files; refuse anything larger.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest evidence file a reporter may attach to an adoption report (practices.validators).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
# What one imported file may hold (practices.resources.reader; README, "Import limits"),
# each checked as the file is read. 50,000 rows is the largest import benchmarked.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 5 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 50_000))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 100))
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", 10_000))
IMPORT_MAX_UNZIPPED_BYTES = int(os.environ.get("IMPORT_MAX_UNZIPPED_BYTES", 64 * 1024 * 1024))

WAGTAIL_SITE_NAME = "Kho giải pháp hay về dịch vụ công trực tuyến"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# Page slugs are ASCII (kb.slugs: "dang-ky-khai-sinh", not "đăng-ký-khai-sinh", which a URL
# carries as percent-encoding); the page form and models make them from Vietnamese titles.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The CMS never depends on Elasticsearch: admin search stays on the database backend, which
# kb.search_backend teaches to find Vietnamese typed without diacritics.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "kb.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "png", "jpg", "jpeg"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {
            "features": ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
        },
    }
}

# Public search (issue 3) uses its own elasticsearch.dsl documents; unset means database search.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "dvctt-dev")
# A query is cut to this many distinct words before it reaches an engine (the database
# engine's work grows with words × documents), and each word brings at most this many
# synonyms or abbreviations along.
SEARCH_MAX_WORDS = int(os.environ.get("SEARCH_MAX_WORDS", "12"))
SEARCH_MAX_SYNONYMS = int(os.environ.get("SEARCH_MAX_SYNONYMS", "8"))

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "practices.pagination.StablePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "opendata.errors.with_error_sentence",
}

# The OpenAPI schema of /api/v1/ (opendata/schema.py).
SPECTACULAR_SETTINGS = {
    "TITLE": "API mở của Kho giải pháp DVCTT",
    "DESCRIPTION": (
        "Dữ liệu công khai về các giải pháp hay trong cung cấp dịch vụ công trực tuyến "
        "(Nghị định 42/2022/NĐ-CP), các cơ quan, đơn vị (kể cả các đơn vị trước sắp xếp "
        "năm 2025 và đơn vị kế thừa) và kết quả áp dụng của từng nơi. Chỉ đọc (GET), không "
        "cần đăng nhập. Tên trường và tham số chỉ được thêm, không bao giờ đổi tên. Mọi lỗi "
        "(mã 400 trở lên) có trường `error`: một câu tiếng Việt nói điều gì sai. Giải thích "
        "dữ liệu, giấy phép và cách trích dẫn: [Dữ liệu mở](/du-lieu-mo/)."
    ),
    "VERSION": "1",
    "LICENSE": {
        "name": "CC BY 4.0 (dữ liệu tham chiếu giữ điều khoản của nguồn)",
        "url": "https://creativecommons.org/licenses/by/4.0/deed.vi",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "PREPROCESSING_HOOKS": ["opendata.docs.open_data_only"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# Anyone's page or program may read the open-data API from a browser (GET only, no cookie).
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record carries the id of the request it was made in (ops/requests.py).
    "filters": {"request_id": {"()": "ops.requests.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background work (django-tasks, with django-tasks-db's database backend; README: "Background
# work"): the admin's imports and exports, snapshots, e-mails and pushing search rows. Queued in
# the database, in the transaction that asks for them, and run by `manage.py db_worker --backend
# background --queue-name '*'` (`make run` starts one). TASK_BACKEND
# `django_tasks.backends.immediate.ImmediateBackend` runs them in the request instead. Wagtail's
# own small tasks (reference index, file deletions) stay in the request (`default`).
TASK_QUEUES = ["default", "imports", "mail", "search"]
# A push of search rows that found no node tries again after this many seconds (search/tasks.py).
SEARCH_PUSH_RETRY_SECONDS = int(os.environ.get("SEARCH_PUSH_RETRY_SECONDS", "30"))
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": os.environ.get("TASK_BACKEND")
        or os.environ.get("IMPORT_TASK_BACKEND")  # its name before the queue did more
        or "django_tasks_db.DatabaseBackend",
        "QUEUES": TASK_QUEUES,
    },
}
# --- Background jobs of the admin: exports and snapshots (ops/jobs.py) ---------------------
# They run on the queue `imports`, with the other long jobs. An export's file waits for the user
# who asked in JOB_FILES_ROOT: outside MEDIA_ROOT and under no URL (a permission-checked view
# serves it), kept JOB_FILES_KEEP_DAYS. An export reads and writes JOB_EXPORT_BATCH records at a
# time, and writes its progress after each batch. A job running without progress for
# JOB_STALE_SECONDS is taken as interrupted (its worker was killed): its page says so, and the
# next task a worker starts, or `manage.py mark_interrupted_jobs`, marks it failed.
JOB_FILES_ROOT = Path(os.environ.get("JOB_FILES_ROOT", BASE_DIR / "var" / "job-files"))
JOB_FILES_KEEP_DAYS = int(os.environ.get("JOB_FILES_KEEP_DAYS", "7"))
JOB_EXPORT_BATCH = int(os.environ.get("JOB_EXPORT_BATCH", "500"))
JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "900"))
# The default cache: Redis when REDIS_URL is set (production requires it: the rate-limit
# counters must be shared by every process), else this process's memory (`make run`: one
# process). `import_progress`: rows done of a running import, written by the worker outside the
# import's transaction and read by the status page, so a cache both processes share (files on
# one host; point IMPORT_PROGRESS_DIR at a shared folder, or replace the backend, when not).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs must not hold every rate-limited request for redis-py's
            # default timeout: after half a second the request is served (fail open).
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "import_progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get(
            "IMPORT_PROGRESS_DIR", str(BASE_DIR / "var" / "import-progress")
        ),
        "TIMEOUT": 24 * 3600,
    },
}
# Anonymous answers of the public site and the API kept in the default cache this many seconds
# (ops/pagecache.py), 0 for none; a published change makes them stale at once in any case.
# Off here (one process, templates edited live); production sets 300.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))
# Admin imports: rows per page of the preview; unfinished imports a user may have at once.
IMPORT_PREVIEW_PAGE_SIZE = int(os.environ.get("IMPORT_PREVIEW_PAGE_SIZE", "100"))
IMPORT_MAX_ACTIVE_JOBS = int(os.environ.get("IMPORT_MAX_ACTIVE_JOBS", "2"))

LOGIN_URL = "wagtailadmin_login"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "khogiaiphap@localhost")
# With EMAIL_BACKEND "ops.mail.QueuedEmailBackend" (production's), the worker sends through this
# one, trying a message this many times (ops/mail.py).
EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_DELIVERY_ATTEMPTS = int(os.environ.get("EMAIL_DELIVERY_ATTEMPTS", "5"))
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
# Where the reporter's dashboard tells reporters to ask (empty: their administrator).
REPORTING_HELP_EMAIL = os.environ.get("REPORTING_HELP_EMAIL", "")
# An approved review publishes an adoption by the review's authority, not the approver's
# "publish" permission, which reviewers do not hold (reporting.finish).
WAGTAIL_FINISH_WORKFLOW_ACTION = "reporting.finish.publish_approved"
# The admin's list filters offer "all" as words, not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Tất cả"

SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit's list of supported caches predates Django's own RedisCache, whose
    # incr is Redis's atomic INCR (jsocol/django-ratelimit#283).
    "django_ratelimit.W001",
]

# Rate limits per client address (kb/ratelimits.py, django-ratelimit): requests per window,
# "N/s", "N/m", "N/h" or "N/d"; empty turns a limit off. The page and the API of search
# share one count.
RATELIMIT_SEARCH = os.environ.get("RATELIMIT_SEARCH", "30/m")
RATELIMIT_SUGGEST = os.environ.get("RATELIMIT_SUGGEST", "120/m")
RATELIMIT_API = os.environ.get("RATELIMIT_API", "60/m")
# The downloads of the public lists (/tai-ve/): each writes a whole list.
RATELIMIT_DOWNLOADS = os.environ.get("RATELIMIT_DOWNLOADS", "30/m")
# Chart files (/bieu-do/…): each new set of parameters costs a server-side drawing.
RATELIMIT_CHARTS = os.environ.get("RATELIMIT_CHARTS", "60/m")
# How long the dashboards keep a computed result or a drawn chart (dashboards/cache.py): a
# change to the data makes them stale at once; this bounds what a write missed by the signals
# (a direct SQL change) can leave behind.
DASHBOARDS_CACHE_SECONDS = int(os.environ.get("DASHBOARDS_CACHE_SECONDS", "3600"))
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); with
# none, the key is the connecting address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
RATELIMIT_IP_META_KEY = "kb.ratelimits.client_ip"
# A counter lost between two cache calls lets the request through instead of refusing it.
RATELIMIT_FAIL_OPEN = True

# --- Accounts and sign-in (README: "Accounts and sign-in") ----------------------------------
# Brute-force lockout (django-axes), two-factor sign-in (django-otp, TOTP), session timeouts and
# the Content-Security-Policy (django-csp). Kept in one block so that other settings merge apart.
INSTALLED_APPS += [
    "accounts",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django.forms",  # its widget templates, for FORM_RENDERER below
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# After authentication and messages (a timed-out session is told why on the login page).
_after_auth = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "django_otp.middleware.OTPMiddleware",
    # Timeouts before the two-factor step: an expired session never reaches it.
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
]
# Axes turns a refused login into its lockout page on the way out: last, so it sees everything.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout: AXES_FAILURE_LIMIT failures within the cool-off, counted per account (any address)
# and per address (any account), lock that account or that address until the cool-off has
# passed since the last counted failure. Attempts made while locked are refused and not counted,
# so the lockout page can say exactly when to try again and a flood cannot grow the table.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# Every failure stays in the failure log (successes in the access log), for superusers to read.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Masked in Axes' records and log lines, with the password (always masked).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# The client's address as the rate limits read it (TRUSTED_PROXIES, kb/ratelimits.py), so that
# behind a proxy both key on the real client and neither believes what a client wrote.
AXES_CLIENT_IP_CALLABLE = "kb.ratelimits.client_ip"

# Two-factor sign-in (TOTP apps). Every admin user may enrol; a user with a device is always asked
# for a code. When this is on, national reviewers, national editors and superusers must enrol.
TWO_FACTOR_REQUIRED_FOR_NATIONAL = env_bool("TWO_FACTOR_REQUIRED_FOR_NATIONAL", False)
OTP_TOTP_ISSUER = "Kho giải pháp DVCTT"
# Superusers manage devices in the Django admin without seeing their secret keys or QR codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after sign-in
# whatever the activity (accounts.middleware.SessionTimeoutMiddleware); the cookie and the
# server-side row never outlive the maximum.
SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")))
SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy: no inline script anywhere (the public site has none, the admin's are
# data blocks or carry the nonce). Styles: see the README for why the admin needs inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF, csp.constants.NONCE],
        "style-src": [csp.constants.SELF],
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "frame-src": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.SELF],
        "form-action": [csp.constants.SELF],
        "base-uri": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
    }
}
# Wagtail's date widgets start with an inline script; templates/wagtailadmin/widgets replace it
# with a marker, and widget templates are read through TEMPLATES only with this renderer.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# The admin would call out to releases.wagtail.org and Gravatar: no third party learns who works
# in the admin, and the policy needs no foreign origin.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
