"""Django settings, read from CAREDESK_* environment variables (see docs/configuration.md)."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CAREDESK_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"CAREDESK_{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"CAREDESK_{name} must be a whole number, not {value!r}") from None


def env_seconds(name: str, default: float) -> float:
    value = env(name)
    if value is None:
        return float(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise ImproperlyConfigured(f"CAREDESK_{name} must be a number of seconds, not {value!r}")
    return seconds


def env_networks(name: str) -> list:
    """Comma-separated IP addresses or networks (10.0.0.0/8), as ipaddress networks."""
    networks = []
    for text in (env(name, "") or "").split(","):
        if text.strip():
            try:
                networks.append(ipaddress.ip_network(text.strip(), strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"CAREDESK_{name}: {text.strip()!r} is not an IP address or network") from None
    return networks


def database_from_url(url: str) -> dict:
    """A Django DATABASES entry from a postgresql:// URL."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"Only postgresql:// database URLs are supported, not {parsed.scheme}://")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


HOME = Path(env("HOME", "./caredesk-data")).resolve()
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    # A per-installation key kept in the data directory, so sessions survive restarts without setup.
    _key_file = HOME / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            HOME.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
            _key_file.chmod(0o600)
        except OSError:
            pass

ALLOWED_HOSTS = [host.strip() for host in (env("ALLOWED_HOSTS", "*") or "").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]
PUBLIC_URL = (env("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs page's Swagger UI from its own static files, not a CDN the CSP would refuse
    "axes",
    "caredesk.core",
    "caredesk.customers",
    "caredesk.tickets",
    "caredesk.playbooks",
    "caredesk.review",
    "caredesk.channels",
    "caredesk.escalations",
    "caredesk.cases",
    "caredesk.recordings",
    "caredesk.resolutions",
    "caredesk.desk",
    "caredesk.search",
    "caredesk.knowledge",
    "caredesk.calendars",
    "caredesk.sla",
    "caredesk.notifications",
    "caredesk.live",
    "caredesk.surveys",
    "caredesk.clarifications",
    "caredesk.analytics",
    "caredesk.web",
]

MIDDLEWARE = [
    "caredesk.core.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "caredesk.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "caredesk.core.middleware.ProblemDetailsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "caredesk.web.permissions.AdminCapabilityMiddleware",
    "caredesk.live.middleware.AgentTimeZoneMiddleware",
]

ROOT_URLCONF = "caredesk.urls"
WSGI_APPLICATION = "caredesk.wsgi.application"
AUTH_USER_MODEL = "core.Agent"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

if env("DATABASE_URL"):
    DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend with a kernel lock handing the write lock between connections
            # (caredesk/core/db/sqlite3/base.py). Connections persist: a fresh one per request would
            # start with a cold page cache.
            "ENGINE": "caredesk.core.db.sqlite3",
            "NAME": HOME / "caredesk.sqlite3",
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
                # writers queue on busy_timeout instead of failing on a lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    # 16 MB of page cache per connection: `caredesk serve` holds one connection per thread
                    # (2 workers x 4 threads), and at 64 MB each they grew to 911 MB in all after a search
                    # benchmark at 1,000,000 tickets (issue 14); a page missed here is read from the
                    # operating system's file cache, shared by every process.
                    "PRAGMA cache_size=-16384;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SIGNIN_LOCKOUT_MINUTES", 15) / 60
AXES_RESET_ON_SUCCESS = True
# A lockout holds one username at one address: a colleague at the same office (or behind the same proxy)
# signs in undisturbed, and the address is the client's, read through CAREDESK_TRUSTED_PROXIES.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")  # only for `collectstatic`; whitenoise serves app static files directly
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(HOME / "files")))
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (caredesk/core/proxies.py).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# Served over HTTPS (directly or by a trusted proxy): HSTS on secure responses, cookies only over HTTPS.
HTTPS = env_bool("HTTPS", False)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
# Only the workspace's own vendored files run and style pages; nothing may frame them or post elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Request bodies: JSON over this size is refused with 413; attachments have their own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)

# Business rules with a team-configurable default.
SOLVED_TICKET_CLOSE_DAYS = env_int("SOLVED_CLOSE_DAYS", 4)
RESOLUTION_LINK_DAYS = env_int("RESOLUTION_LINK_DAYS", 30)  # how long a customer's confirmation link works
WORKER_SWEEP_SECONDS = env_int("WORKER_SWEEP_SECONDS", 5)
SLA_PANEL_REFRESH_SECONDS = env_int("SLA_PANEL_REFRESH_SECONDS", 60)  # the ticket page's SLA clocks (docs/sla.md)

# Supervision and health (docs/configuration.md, "Processes and health").
SUPERVISOR_RESTART_SECONDS = env_seconds("SUPERVISOR_RESTART_SECONDS", 1)  # first delay before a restart
SUPERVISOR_RESTART_MAX_SECONDS = env_seconds("SUPERVISOR_RESTART_MAX_SECONDS", 60)  # the doubling stops here
SUPERVISOR_STABLE_SECONDS = env_seconds("SUPERVISOR_STABLE_SECONDS", 30)  # up this long: the backoff resets
HEARTBEAT_SECONDS = env_seconds("HEARTBEAT_SECONDS", 5)

# The live workspace (caredesk/live): the team's time zone (an agent without their own uses it), how often an open
# page asks whether anything changed, and how long a ticket page's presence lasts without a heartbeat.
TEAM_TIME_ZONE = env("TEAM_TIME_ZONE", "America/New_York")
LIVE_POLL_SECONDS = env_seconds("LIVE_POLL_SECONDS", 1)
PRESENCE_SECONDS = env_int("PRESENCE_SECONDS", 45)
HEALTH_SWEEP_SECONDS = env_seconds("HEALTH_SWEEP_SECONDS", 120)
HEALTH_HEARTBEAT_SECONDS = env_seconds("HEALTH_HEARTBEAT_SECONDS", 60)
HEALTH_OUTBOX_SECONDS = env_seconds("HEALTH_OUTBOX_SECONDS", 900)
HEALTH_INBOUND_SECONDS = env_seconds("HEALTH_INBOUND_SECONDS", 300)
DEFAULT_PHONE_REGION = env("DEFAULT_PHONE_REGION", "US")
PLAYBOOKS_DIR = env("PLAYBOOKS_DIR")  # the team's own playbook files, beside the shipped defaults
SENSITIVE_ISSUES_FILE = env("SENSITIVE_ISSUES_FILE")  # the team's SOP 002 qualifiers, instead of the shipped file

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}

# Channels: email in and out, SMS and voice (docs/configuration.md, "Channels").
EMAIL_ADDRESS = env("EMAIL_ADDRESS", "support@caredesk.invalid")  # From of outbound mail, base of reply-to tokens
EMAIL_FROM_NAME = env("EMAIL_FROM_NAME", "Customer Care")
EMAIL_TOKEN_SECRET = env("EMAIL_TOKEN_SECRET")  # signs reply-to tokens; derived from SECRET_KEY when unset
EMAIL_MAX_BYTES = env_int("EMAIL_MAX_BYTES", 40 * 1024 * 1024)  # inbound message size; larger gets 552 / 413
EMAIL_MAX_ATTACHMENTS = env_int("EMAIL_MAX_ATTACHMENTS", 20)
# What one inbound message may cost to parse (caredesk/channels/email/limits.py); over a limit it is not parsed.
MAIL_MAX_HEADER_BYTES = env_int("MAIL_MAX_HEADER_BYTES", 256 * 1024)  # one header block
MAIL_MAX_HEADER_FIELD_BYTES = env_int("MAIL_MAX_HEADER_FIELD_BYTES", 64 * 1024)  # one header field
MAIL_MAX_ENCODED_WORDS = env_int("MAIL_MAX_ENCODED_WORDS", 1000)  # RFC 2047 encoded words in one header field
MAIL_MAX_PARTS = env_int("MAIL_MAX_PARTS", 1000)
MAIL_MAX_DEPTH = env_int("MAIL_MAX_DEPTH", 20)
MAIL_PARSE_MEMORY_BYTES = env_int("MAIL_PARSE_MEMORY_BYTES", 1024 * 1024 * 1024)  # address space of a parser
MAIL_PARSE_SECONDS = env_int("MAIL_PARSE_SECONDS", 30)  # one message's parse, in a parser process
INBOUND_EMAIL_SECRET = env("INBOUND_EMAIL_SECRET", "")  # the raw-MIME HTTP endpoint is off while empty
SMTPD_ENABLED = env_bool("SMTPD_ENABLED", False)  # `caredesk serve` also runs the SMTP receiver
SMTPD_HOST = env("SMTPD_HOST", "127.0.0.1")
SMTPD_PORT = env_int("SMTPD_PORT", 2525)
IMAP_MAILBOXES = env("IMAP_MAILBOXES", "")  # a JSON list of mailboxes, see docs/configuration.md
IMAP_POLL_SECONDS = env_int("IMAP_POLL_SECONDS", 60)
IMAP_IDLE_SECONDS = env_int("IMAP_IDLE_SECONDS", 600)
SMTP_HOST = env("SMTP_HOST", "")  # outbound mail; while empty it is only recorded (the console transport)
SMTP_PORT = env_int("SMTP_PORT", 587)
SMTP_USERNAME = env("SMTP_USERNAME", "")
SMTP_PASSWORD = env("SMTP_PASSWORD", "")
SMTP_SECURITY = env("SMTP_SECURITY", "starttls")  # starttls, tls or none
SMTP_TIMEOUT_SECONDS = env_int("SMTP_TIMEOUT_SECONDS", 30)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_LEASE_SECONDS = env_seconds("OUTBOX_LEASE_SECONDS", 600)  # a claimed message not sent by then is claimed again
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)  # first retry; doubles each attempt, at most 6 hours
SMS_PROVIDER = env("SMS_PROVIDER", "console")  # console or twilio
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", "")  # also checks webhook signatures; webhooks answer 403 without it
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", "")
TRANSFER_PROVIDER = env("TRANSFER_PROVIDER", "console")  # console or twilio: the escalation ladder's calls
VOICE_FORWARD_TO = env("VOICE_FORWARD_TO", "")  # number an inbound call rings; voicemail only while empty

# Call recordings (caredesk/recordings): any agent plays one up to this many days old; older ones are for
# Resolution Specialists only, with a reason. Older than the retention, the worker deletes the audio.
RECORDING_OPEN_DAYS = env_int("RECORDING_OPEN_DAYS", 90)
RECORDING_RETENTION_DAYS = env_int("RECORDING_RETENTION_DAYS", 730)
RECORDING_DOWNLOAD_ATTEMPTS = env_int("RECORDING_DOWNLOAD_ATTEMPTS", 8)  # then the recording is marked failed
# Hosts the worker downloads provider recordings from (with the provider's credentials): a RecordingUrl on any
# other host is refused, so a recording callback never makes caredesk fetch, or send credentials, elsewhere.
RECORDING_SOURCE_HOSTS = [host.strip().lower() for host in (env("RECORDING_SOURCE_HOSTS", "api.twilio.com") or "")
                          .split(",") if host.strip()]

# The knowledge base's public "was this helpful?" votes: at most this many per visitor address and hour.
KNOWLEDGE_VOTES_PER_HOUR = env_int("KNOWLEDGE_VOTES_PER_HOUR", 20)
