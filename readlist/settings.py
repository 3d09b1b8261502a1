"""Readlist's one settings module: every deploy-specific value comes from the environment."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from readlist.env import env_bool, env_float, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
# A local checkout keeps its DEBUG and SECRET_KEY in .env (written by `make install`);
# real environment variables always win, and production images ship no .env.
load_dotenv(env_str("READLIST_DOTENV", str(BASE_DIR / ".env")), override=False)
VAR_DIR = Path(env_str("READLIST_VAR_DIR", str(BASE_DIR / "var")))

TESTING = "pytest" in sys.modules or env_bool("READLIST_TESTING")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-dev-only-key-never-used-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL used in emails and in the link checker's User-Agent contact.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "readlist",
    "curricula",
    "notes",
    "teams",
    "api",
    "integrations",
]

MIDDLEWARE = [
    "readlist.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "readlist.guards.RejectNulMiddleware",
    "csp.middleware.CSPMiddleware",
    # HTML compressed here rather than at the proxy: `make run` has no proxy, and Django's
    # GZip pads each response at random (Heal The BREACH) besides masking CSRF tokens, so
    # secrets on compressed pages do not leak through their length. Before the others, so it
    # compresses what they wrote; after WhiteNoise, which serves static files precompressed
    # (gzip and brotli); nginx passes compressed bodies through.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "readlist.outage.DatabaseOutageMiddleware",
    "readlist.replica.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "readlist.guards.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "readlist.caching.PersonalPagesMiddleware",
]

ROOT_URLCONF = "readlist.urls"
WSGI_APPLICATION = "readlist.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "readlist.links.nav",
                "readlist.csrf.token",
            ],
        },
    },
    # Jinja2 for the parts of a page that repeat per row: the curriculum page's body and
    # entry rows, the dashboard's body and rows, the search page's results; and the entry
    # page's body, with the status control and note editor it shares with the note edit page
    # (jinja2/; notes/rendering.py, notes/entry_rendering.py, teams/rendering.py and
    # notes/views.py give the figures). The layout (base.html) and the other pages are Django
    # templates.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "readlist.jinja.environment"},
    },
]

# --- Database -----------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'readlist.sqlite3'}"
_database_url = env_url(
    "DATABASE_URL", _default_db, schemes=("sqlite", "postgres", "postgresql", "pgsql")
)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:  # pragma: no cover - depends on the operator's input
    raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# A read replica for the read-heavy pages (readlist/replica.py): the dashboard, its CSV and
# search read there unless the person wrote in the last READLIST_REPLICA_PIN_SECONDS.
_replica_url = env_url("DATABASE_REPLICA_URL", "", schemes=("postgres", "postgresql", "pgsql"))
READLIST_REPLICA_ALIAS = "replica" if _replica_url else ""
DATABASE_ROUTERS = ["readlist.replica.ReplicaRouter"]
READLIST_REPLICA_VIEWS = {"teams:dashboard", "teams:dashboard_csv", "notes:search"}
READLIST_REPLICA_PIN_SECONDS = env_int("READLIST_REPLICA_PIN_SECONDS", 15, minimum=1)
# A database that stops answering must not hang every request until gunicorn kills the worker:
# connecting gives up after DATABASE_CONNECT_TIMEOUT seconds and one statement after
# DATABASE_STATEMENT_TIMEOUT_MS milliseconds (0 = no limit; `migrate` in the compose file
# sets 0). Requests that fail this way get the "back soon" 503 page (readlist/middleware.py).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 30_000, minimum=0)
# Connection pooling (psycopg_pool through Django's OPTIONS["pool"]): each process keeps between
# DATABASE_POOL_MIN_SIZE and DATABASE_POOL_MAX_SIZE connections and lends them per request,
# instead of one persistent connection per thread. Off with DATABASE_POOL=0 (e.g. behind
# PgBouncer in transaction mode, which pools for every process at once).
DATABASE_POOL = env_bool("DATABASE_POOL", False)
# The hot pages' plain SQL runs as prepared statements (readlist.sql.cursor): planned once per
# connection. Off with DATABASE_PREPARE=0 behind a pooler that cannot carry them (PgBouncer
# before 1.21, or without max_prepared_statements, in transaction mode).
DATABASE_PREPARE = env_bool("DATABASE_PREPARE", True)
if IS_POSTGRES:
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Only readlist.sql.cursor's server-binding cursors ever prepare: Django's own cursors bind
    # on the client and never do, whatever this says (None turns preparing off).
    _pg_options["prepare_threshold"] = 0 if DATABASE_PREPARE else None
    if DATABASE_POOL:
        _pool_max = env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1)
        _pg_options["pool"] = {
            "min_size": min(env_int("DATABASE_POOL_MIN_SIZE", 2, minimum=0), _pool_max),
            "max_size": _pool_max,
            # A request waiting this long for a free connection fails like an outage (503).
            "timeout": DATABASE_CONNECT_TIMEOUT,
        }
        # Django refuses persistent connections with a pool: the pool is what persists.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    _pg_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    if DATABASE_STATEMENT_TIMEOUT_MS:
        _pg_options["options"] = (
            f"{_pg_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        ).strip()
if _replica_url:
    # The same timeouts and pooling as the primary; tests point it at the test database.
    DATABASES["replica"] = dj_database_url.parse(_replica_url)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss"))
if REDIS_URL:
    # Redis down must not take sign-in down: the cache falls back to local disk (readlist/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "readlist.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "FALLBACK_LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    _queue_dir = VAR_DIR / "celery" / "queue"
    # The folders must exist before anything queues a task: an import run from the command
    # line queues link checks without `make run` having created them.
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Redis hands a task taken by a worker that then died (kill -9, OOM, a lost machine) to
    # another worker once it has gone unacknowledged this long (Celery's default is an hour).
    # It must exceed the longest task's hard time limit (660 s) or a slow task would run twice,
    # and every retry countdown (ETA tasks wait unacknowledged too). See docs/workers.md.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900, minimum=1)
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_TIMEZONE = env_str("TIME_ZONE", "UTC")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# With Redis, beat keeps its schedule there and holds a lock (celery-redbeat): a second beat
# (a rolling deploy, a stray replica) waits for the lock instead of sending every task twice,
# and takes over within CELERY_REDBEAT_LOCK_TIMEOUT seconds if the first dies.
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = f"{env_str('READLIST_REDIS_PREFIX', 'readlist')}:redbeat"
    CELERY_BEAT_MAX_LOOP_INTERVAL = 30
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("CELERY_REDBEAT_LOCK_TIMEOUT", 150, minimum=2)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Queues by kind of work, so a backlog of link checks never delays mail or arXiv fetches: the
# compose file and the Kubernetes manifests run one worker per queue; `make run` one for all.
# Tasks not named here (beat's light dispatchers, tallies) go to the default queue.
CELERY_TASK_DEFAULT_QUEUE = "default"
READLIST_CELERY_QUEUES = {
    "curricula.tasks.check_links": "links",
    "curricula.tasks.fetch_arxiv": "arxiv",
    "curricula.tasks.send_broken_digest": "mail",
    "teams.tasks.send_member_digest": "mail",
    "teams.tasks.send_manager_digest": "mail",
}
CELERY_TASK_ROUTES = ("readlist.celery.route_task",)
# Link health and arXiv metadata (curricula/tasks.py): each run is a bounded batch, stalest first;
# broken and suspect links come due daily, healthy ones weekly (see curricula/linkhealth).
CELERY_BEAT_SCHEDULE: dict = {
    "linkhealth-check-due": {
        "task": "curricula.tasks.check_due_links",
        "schedule": env_int("READLIST_LINKCHECK_EVERY_SECONDS", 15 * 60, minimum=30),
    },
    "arxiv-refresh-due": {
        "task": "curricula.tasks.fetch_due_arxiv",
        "schedule": env_int("READLIST_ARXIV_EVERY_SECONDS", 60 * 60, minimum=30),
    },
    "linkhealth-broken-digest": {
        "task": "curricula.tasks.send_broken_digest",
        "schedule": 60 * 60,
    },
}
# Confirmed-broken links: look up their last good snapshot in the Wayback Machine, daily.
CELERY_BEAT_SCHEDULE["archive-find-snapshots"] = {
    "task": "curricula.tasks.find_archives",
    "schedule": crontab(hour=4, minute=45),
}
# PDF links: read their own title (pypdf) and judge the label against it, nightly.
CELERY_BEAT_SCHEDULE["verify-pdf-titles"] = {
    "task": "curricula.tasks.verify_pdf_titles",
    "schedule": crontab(hour=5, minute=15),
}
# Curricula that follow a published list: fetch their source daily; a changed list waits for
# an admin to preview and apply it (curricula/sync.py).
CELERY_BEAT_SCHEDULE["curricula-source-sync"] = {
    "task": "curricula.tasks.check_curriculum_sources",
    "schedule": crontab(hour=5, minute=30),
}
# Papers withdrawn, retitled or published since they were listed: one admin mail a week.
CELERY_BEAT_SCHEDULE["arxiv-paper-changes-digest"] = {
    "task": "curricula.tasks.send_paper_changes_digest",
    "schedule": crontab(day_of_week="mon", hour=7, minute=15),
}
# Teams (teams/tasks.py): weekly digests, Monday morning; each goes out once per person per week.
CELERY_BEAT_SCHEDULE["teams-weekly-digests"] = {
    "task": "teams.tasks.send_weekly_digests",
    "schedule": crontab(day_of_week="mon", hour=7, minute=0),
}
# Daily: a nudge to whoever fell behind or is near a due date (at most one a week each).
CELERY_BEAT_SCHEDULE["teams-deadline-nudges"] = {
    "task": "teams.tasks.send_deadline_nudges",
    "schedule": crontab(hour=8, minute=0),
}
# Comment mails whose task was never queued (broker down) or was lost: queued again, each notice
# still sent once (teams.discussion.comment_notices_requeue_stale).
CELERY_BEAT_SCHEDULE["teams-comment-notices-sweep"] = {
    "task": "teams.tasks.requeue_comment_notices",
    "schedule": 5 * 60,
}

# Reading (notes/tasks.py): the managers' tallies are kept in step on every write; this nightly
# check recounts them if something bypassed that (and logs a warning).
CELERY_BEAT_SCHEDULE["notes-repair-tallies"] = {
    "task": "notes.tasks.repair_tallies",
    "schedule": crontab(hour=3, minute=30),
}

# Integrations (integrations/tasks.py): the weekly team summary to chat and webhooks.
CELERY_BEAT_SCHEDULE["integrations-weekly-summaries"] = {
    "task": "integrations.tasks.send_weekly_summaries",
    "schedule": crontab(day_of_week="mon", hour=8, minute=0),
}
CELERY_BEAT_SCHEDULE["integrations-events"] = {
    "task": "integrations.tasks.emit_events",
    "schedule": 15 * 60,
}
# A hook is turned off (and its team's managers told) after this many deliveries in a row
# failed, each after its retries.
READLIST_HOOK_MAX_FAILURES = env_int("READLIST_HOOK_MAX_FAILURES", 5, minimum=1)

# --- Auth -----------------------------------------------------------------------
# Django's database sessions, read by a statement prepared once per connection
# (readlist/sessions.py).
SESSION_ENGINE = "readlist.sessions"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory")
# Proxies in front of the app that append to X-Forwarded-For (compose's nginx: 1). Rate limits
# key on the client address read through exactly these hops (readlist/clientip.py).
READLIST_TRUSTED_PROXIES = env_int("READLIST_TRUSTED_PROXIES", 0, minimum=0)
# Failed sign-ins: "key" is the pair (account, client IP) (notes/adapters.py), so nobody can
# lock a person out from elsewhere; the per-IP cap, well above one office's typos, stops one
# address guessing across many accounts.
ACCOUNT_RATE_LIMITS = {"login_failed": env_str("LOGIN_RATE_LIMIT", "30/5m/ip,5/5m/key")}
ACCOUNT_LOGOUT_ON_GET = False
# Sign-up is closed except to invited addresses (notes.Invitation, sent from Django admin) and,
# when set, to these email domains. See docs/auth.md.
ACCOUNT_ADAPTER = "notes.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "notes.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "notes.signup.InviteOnlySignupForm"}
READLIST_SIGNUP_DOMAINS = env_list("READLIST_SIGNUP_DOMAINS")
# An invitation link works once, for this many days after it was (last) sent.
READLIST_INVITATION_DAYS = env_int("READLIST_INVITATION_DAYS", 14, minimum=1)
ACCOUNT_RATE_LIMITS.update(
    {
        # All sign-in posts, failed or not: generous, so one office behind NAT can sign in.
        "login": env_str("LOGIN_ATTEMPT_RATE_LIMIT", "120/m/ip"),
        "signup": env_str("SIGNUP_RATE_LIMIT", "20/m/ip"),
        "reset_password": env_str("RESET_PASSWORD_RATE_LIMIT", "20/m/ip,5/m/key"),
    }
)
# Single sign-on through OpenID Connect (Google is one such provider); see docs/auth.md.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = env_bool("SOCIALACCOUNT_ONLY", False)
_oidc_apps = []
if env_str("OIDC_CLIENT_ID"):
    _oidc_apps.append(
        {
            "provider_id": env_str("OIDC_PROVIDER_ID", "sso"),
            "name": env_str("OIDC_NAME", "Single sign-on"),
            "client_id": env_str("OIDC_CLIENT_ID"),
            "secret": env_str("OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": env_url("OIDC_SERVER_URL", "", schemes=("https", "http")),
            },
        }
    )
    if not _oidc_apps[-1]["settings"]["server_url"]:
        raise ImproperlyConfigured("OIDC_SERVER_URL must be set when OIDC_CLIENT_ID is set")
if env_str("GOOGLE_CLIENT_ID"):
    _oidc_apps.append(
        {
            "provider_id": "google",
            "name": "Google",
            "client_id": env_str("GOOGLE_CLIENT_ID"),
            "secret": env_str("GOOGLE_CLIENT_SECRET"),
            "settings": {"server_url": "https://accounts.google.com"},
        }
    )
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": _oidc_apps}}

# --- Mail -----------------------------------------------------------------------
EMAIL_URL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
_email_backend = env_str("EMAIL_BACKEND", "console" if DEBUG else "smtp")
if _email_backend not in EMAIL_URL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND must be one of {', '.join(EMAIL_URL_BACKENDS)}, got {_email_backend!r}"
    )
EMAIL_BACKEND = EMAIL_URL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Readlist <readlist@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N / static ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except Exception:
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production) --------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG and not TESTING)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and stylesheets only from this site (htmx is
# served from static/), no inline script at all, a <style> element only with the response's
# nonce (`nonce="{{ request.csp_nonce }}"`), style attributes allowed (the server-drawn progress
# bars use them; they cannot load anything), and images only from this site: an image that a
# teammate's shared note points at elsewhere is never fetched (notes/markdown.py also turns it
# into a link). No plugins, no framing. No form-action: single sign-on posts a form that
# redirects to the identity provider, which form-action would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-elem": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
# /healthz and /readyz are probed over plain HTTP by load balancers and compose.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Longest /readyz waits for each of the database and the broker before reporting it down.
READLIST_READYZ_TIMEOUT = env_float("READLIST_READYZ_TIMEOUT", 3.0)

# --- Readlist ---------------------------------------------------------------------
# Largest Markdown reading list accepted by the importer.
READLIST_IMPORT_MAX_BYTES = env_int("READLIST_IMPORT_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
# Request bodies: anything larger gets 413 before it is read (readlist/limits.py); keep nginx's
# client_max_body_size equal. Room for the largest import plus its form.
READLIST_MAX_REQUEST_BYTES = env_int(
    "READLIST_MAX_REQUEST_BYTES", READLIST_IMPORT_MAX_BYTES + 1024 * 1024, minimum=64 * 1024
)
# Form fields are capped by the same figure; an accepted upload stays in memory, never on disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = READLIST_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = READLIST_MAX_REQUEST_BYTES
# Hosts or CIDR ranges the outbound HTTP client may reach even though they are not global.
READLIST_FETCH_ALLOW = env_list("READLIST_FETCH_ALLOW")
# Off: the outbound client reaches no host on the internet (and looks none up), only loopback and
# READLIST_FETCH_ALLOW. `make run` turns it off so a laptop's demo never touches the web.
READLIST_FETCH_INTERNET = env_bool("READLIST_FETCH_INTERNET", True)
READLIST_ARXIV_API_URL = env_url(
    "READLIST_ARXIV_API_URL", "https://export.arxiv.org/api/query", schemes=("http", "https")
)
READLIST_TITLE_MATCH_THRESHOLD = env_float("READLIST_TITLE_MATCH_THRESHOLD", 0.8)
# Where a confirmed-broken link's last good snapshot is looked up (curricula/archive.py).
READLIST_WAYBACK_API_URL = env_url(
    "READLIST_WAYBACK_API_URL", "https://archive.org/wayback/available", schemes=("http", "https")
)
READLIST_WAYBACK_TIMEOUT = env_float("READLIST_WAYBACK_TIMEOUT", 15.0)
# PDF links get a title check too: read at most this many bytes, parse for at most this long.
READLIST_PDF_MAX_BYTES = env_int("READLIST_PDF_MAX_BYTES", 16 * 1024 * 1024, minimum=1024)
READLIST_PDF_PARSE_SECONDS = env_float("READLIST_PDF_PARSE_SECONDS", 10.0)
# Managers' dashboard: someone with nothing done on an assignment for this many days is stalled.
READLIST_STALLED_DAYS = env_int("READLIST_STALLED_DAYS", 14, minimum=1)
# Saves of a note closer together than this (and not changing who can read it) are one session
# of editing: they update the latest version instead of adding one (0 turns this off).
READLIST_NOTE_SESSION_MINUTES = env_int("READLIST_NOTE_SESSION_MINUTES", 5, minimum=0)
# JSON API (api/): requests allowed per token (or per signed-in person without one), as
# "<count>/<s|m|h|d>".
READLIST_API_RATE_LIMIT = env_str("READLIST_API_RATE_LIMIT", "600/m")
if not re.fullmatch(r"[1-9][0-9]*/(s|m|h|d)", READLIST_API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"READLIST_API_RATE_LIMIT must look like 600/m (count/s, m, h or d), "
        f"not {READLIST_API_RATE_LIMIT!r}"
    )

# --- Link health and arXiv workers (curricula/linkhealth, curricula/arxiv) --------
# A run first reaches these; when they fail at network level the checker is cut off and the
# run judges nothing. Empty means "no canaries": only the share of network failures decides.
READLIST_LINKCHECK_CANARIES = env_list(
    "READLIST_LINKCHECK_CANARIES",
    ["https://www.google.com/generate_204", "https://one.one.one.one/", "https://example.com/"],
)
# Share of network-level failures (of at least READLIST_LINKCHECK_OFFLINE_MIN checks) above
# which a run is declared inconclusive.
READLIST_LINKCHECK_OFFLINE_SHARE = env_float("READLIST_LINKCHECK_OFFLINE_SHARE", 0.8)
READLIST_LINKCHECK_OFFLINE_MIN = env_int("READLIST_LINKCHECK_OFFLINE_MIN", 5, minimum=1)
READLIST_LINKCHECK_BATCH = env_int("READLIST_LINKCHECK_BATCH", 300, minimum=1)
READLIST_LINKCHECK_THREADS = env_int("READLIST_LINKCHECK_THREADS", 48, minimum=1)
READLIST_LINKCHECK_HOST_INTERVAL = env_float("READLIST_LINKCHECK_HOST_INTERVAL", 1.0)
READLIST_LINKCHECK_HOST_CONCURRENCY = env_int("READLIST_LINKCHECK_HOST_CONCURRENCY", 2, minimum=1)
READLIST_LINKCHECK_TIMEOUT = env_float("READLIST_LINKCHECK_TIMEOUT", 20.0)
READLIST_LINKCHECK_CONNECT_TIMEOUT = env_float("READLIST_LINKCHECK_CONNECT_TIMEOUT", 10.0)
READLIST_LINKCHECK_MAX_BYTES = env_int("READLIST_LINKCHECK_MAX_BYTES", 256 * 1024, minimum=1024)
# Longest a host's Retry-After may push its checks back.
READLIST_LINKCHECK_RETRY_AFTER_CAP = env_int(
    "READLIST_LINKCHECK_RETRY_AFTER_CAP", 6 * 3600, minimum=1
)
# Broken only after this many broken results in a row spanning at least this many hours.
READLIST_LINKCHECK_BROKEN_STRIKES = env_int("READLIST_LINKCHECK_BROKEN_STRIKES", 3, minimum=1)
READLIST_LINKCHECK_BROKEN_SPAN_HOURS = env_float("READLIST_LINKCHECK_BROKEN_SPAN_HOURS", 48.0)
READLIST_ARXIV_MIN_INTERVAL = env_float("READLIST_ARXIV_MIN_INTERVAL", 3.0)
READLIST_ARXIV_RETRIES = env_int("READLIST_ARXIV_RETRIES", 3, minimum=0)
READLIST_ARXIV_BACKOFF = env_float("READLIST_ARXIV_BACKOFF", 5.0)
READLIST_ARXIV_BATCH = env_int("READLIST_ARXIV_BATCH", 100, minimum=1)
READLIST_ARXIV_TIMEOUT = env_float("READLIST_ARXIV_TIMEOUT", 20.0)
# New resources are checked and fetched right after their import commits; the test suite
# turns this off (imports there must not queue work) except where a test turns it on.
READLIST_ENQUEUE_NEW_RESOURCES = env_bool("READLIST_ENQUEUE_NEW_RESOURCES", not TESTING)
# Keys the workers keep in Redis start with this (tests give each run its own).
READLIST_REDIS_PREFIX = env_str("READLIST_REDIS_PREFIX", "readlist")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}},
}

# Serve static files straight from the source folders while developing and testing.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
