"""Settings, read from the environment (and a `.env` file when present).

Every variable is documented in `.env.example`. Nothing secret lives in this file: the secret key
is generated once and kept under DATA_DIR when SECRET_KEY is unset.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
from dotenv import load_dotenv

from spotifydl.env import env_bool, env_float, env_int, env_list, load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

DEBUG = env_bool("DEBUG", default=False)
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data")).resolve()
MUSIC_ROOT = Path(os.environ.get("MUSIC_ROOT", BASE_DIR / "music")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Configured, the key is the installation's (every machine sets the same); unset, one machine keeps
# its own under DATA_DIR, which only works while the web server and its workers share that folder
# (`spotifydl.secrets_check` refuses to start a separate worker or a PostgreSQL install without it).
SECRET_KEY_CONFIGURED = bool(os.environ.get("SECRET_KEY", "").strip())
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or load_or_create_secret_key(
    DATA_DIR / "secret_key"
)
# Old keys, newest first: tokens and cookies encrypted under them stay readable while rotating.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# Where Spotify sends the browser back after sign-in; also the app's public address.
SPOTIFY_REDIRECT_URI = os.environ.get("SPOTIFY_REDIRECT_URI", "http://127.0.0.1:8000/callback/")

INSTALLED_APPS = [
    "servestatic.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "spotifydl",
    "spotifydl.api",
    "library",
    "downloads",
    "spotifydl.notifications",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "spotifydl.urls"
ASGI_APPLICATION = "spotifydl.asgi.application"

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
                "spotifydl.context_processors.site",
            ],
            # `when`: every page shows moments the same way.
            "builtins": ["spotifydl.templatetags.dates"],
        },
    },
]


def _database(url: str | None) -> dict[str, Any]:
    if url and not url.startswith("sqlite"):
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
        # psycopg 3's own pool replaces persistent connections; Django forbids both at once.
        config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": env_int("DB_POOL_SIZE", 10)}}
        return config
    path = dj_database_url.parse(url)["NAME"] if url else str(DATA_DIR / "spotifydl.sqlite3")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
            # timeout instead of failing with "database is locked" when a read upgrades to a write.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
        # Kept open between requests: a new SQLite connection costs its thread about 1.6 ms of
        # CPU (the file opened, the PRAGMAs above, Django's SQL functions registered, the schema
        # read at its first query), a tenth of a small page. Web requests run on reused threads
        # (spotifydl/request_threads.py), so each keeps one open file.
        "CONN_MAX_AGE": None,
        # A file, not memory: tests run real worker processes that share the test database.
        # Per process, so two test runs on one machine never delete each other's database.
        "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LOGIN_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Swagger UI for the API's docs page, from the django-ninja wheel (found without importing it).
_NINJA = importlib.util.find_spec("ninja")
STATICFILES_DIRS: list[Any] = [BASE_DIR / "static"]
if _NINJA is not None and _NINJA.submodule_search_locations:
    STATICFILES_DIRS.append(
        ("ninja", Path(_NINJA.submodule_search_locations[0]) / "static" / "ninja")
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The public address is the one Spotify redirects to. Served over https, cookies are Secure and HSTS
# is on; on a plain-http loopback install (the default) browsers would drop Secure cookies.
PUBLIC_HTTPS = SPOTIFY_REDIRECT_URI.startswith("https://")
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=PUBLIC_HTTPS)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=PUBLIC_HTTPS)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A self-hosted app is usually reached over plain HTTP on 127.0.0.1 or behind a TLS proxy;
    # the redirect is the proxy's job, so its deploy warning is expected and silenced here.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # httpx logs every request URL at INFO; our URLs never carry tokens, but keep it quiet.
        "httpx": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # spotipy's DEBUG lines carry codes and tokens; never let them through.
        "spotipy": {"level": "INFO"},
    },
}

# Spotify. With no client id configured the app runs in demo mode against the built-in sandbox.
SPOTIFY_CLIENT_ID = os.environ.get("SPOTIFY_CLIENT_ID", "")
SPOTIFY_CLIENT_SECRET = os.environ.get("SPOTIFY_CLIENT_SECRET", "")
SPOTIFY_ACCOUNTS_URL = os.environ.get("SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com")
SPOTIFY_API_URL = os.environ.get("SPOTIFY_API_URL", "https://api.spotify.com/v1")
SPOTIFY_CONCURRENCY = env_int("SPOTIFY_CONCURRENCY", 8)
DEMO_MODE = env_bool("DEMO_MODE", default=False)
# Spotify user ids that are admins whenever they sign in (besides the first person to sign in).
ADMIN_SPOTIFY_IDS = env_list("ADMIN_SPOTIFY_IDS", default=[])

# Media search and download.
MEDIA_SOURCES = env_list("MEDIA_SOURCES", default=["ytmusic", "youtube"])
# Where YouTube Music's InnerTube API and YouTube's watch pages live. Only a stand-in (the demo's
# sandbox, tests) changes them: requests to https://music.youtube.com go to YTMUSIC_BASE_URL,
# and a video is fetched from YOUTUBE_WATCH_BASE + its id (yt-dlp's generic extractor, allowed
# for exactly this base, when it is not YouTube's own).
YTMUSIC_BASE_URL = os.environ.get("YTMUSIC_BASE_URL", "https://music.youtube.com")
YOUTUBE_WATCH_BASE = os.environ.get("YOUTUBE_WATCH_BASE", "https://www.youtube.com/watch?v=")
# Lyrics: LRCLIB's API (the demo points it at the sandbox; empty turns lyrics off for everyone),
# and its pace: one request of a worker per this many seconds (downloads/pipeline/lyrics.py).
LRCLIB_URL = os.environ.get("LRCLIB_URL", "https://lrclib.net")
LRCLIB_GAP = env_float("LRCLIB_GAP", 0.2)
# How long yt-dlp waits on a silent connection before it resumes the download elsewhere.
YTDLP_SOCKET_TIMEOUT = env_float("YTDLP_SOCKET_TIMEOUT", 20.0)
# Seconds before a track that failed for a passing reason is queued again (doubling each time).
ITEM_RETRY_BACKOFF = env_float("ITEM_RETRY_BACKOFF", 2.0)
# Seconds before a failed download is tried again, times the try (pipeline/fetch/retry.py);
# yt-dlp's own resumes pause a quarter of it, doubling, at most twice it.
FETCH_RETRY_BACKOFF = env_float("FETCH_RETRY_BACKOFF", 1.0)
# Seconds before a failed search is asked again, doubling, jittered (downloads/pipeline/resolve.py).
SEARCH_RETRY_BACKOFF = env_float("SEARCH_RETRY_BACKOFF", 0.3)
# A failed Spotify request is sent again after a random pause of up to twice this, the bound
# doubling each time (at most 5 s): library/spotify/client.py.
SPOTIFY_RETRY_BACKOFF = env_float("SPOTIFY_RETRY_BACKOFF", 0.2)
# yt-dlp's cache: YouTube's player script and solved challenges, kept between tracks and runs.
YTDLP_CACHE_DIR = Path(os.environ.get("YTDLP_CACHE_DIR", DATA_DIR / "cache" / "yt-dlp"))
DOWNLOAD_CONCURRENCY = env_int("DOWNLOAD_CONCURRENCY", 8)
EMBEDDED_WORKERS = env_int("EMBEDDED_WORKERS", 2)
# A worker process (and the ffmpeg it runs) lowers its CPU priority by this nice(1) increment
# when it starts, and its session's autogroup too on Linux (management/commands/worker.py): on
# a machine shared with the web, pages are served first and downloads take the CPU left over.
# 0 keeps them equal (bench P6, README).
WORKER_NICENESS = env_int("WORKER_NICENESS", 10)
# uvicorn processes `serve` runs for the web: a process runs its requests' Python one at a time
# (spotifydl/request_threads.py), some 20 ms of CPU a page (bench P6, README).
WEB_WORKERS = env_int("WEB_WORKERS", 2)
# The YouTube governor, shared by every worker of the installation. Video fetches an hour:
# signed out YouTube allows about 300, so stay under it; a cookies file allows more.
YOUTUBE_BUDGET_PER_HOUR = env_int("YOUTUBE_BUDGET_PER_HOUR", 250)
YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES = env_int("YOUTUBE_BUDGET_PER_HOUR_WITH_COOKIES", 1500)
# Least seconds between two searches (YouTube Music), installation-wide.
YOUTUBE_SEARCH_GAP = env_float("YOUTUBE_SEARCH_GAP", 0.5)
# A worker waits in place for its turn at most this long; a longer wait pauses the job instead.
YOUTUBE_MAX_SLOT_WAIT = env_float("YOUTUBE_MAX_SLOT_WAIT", 30.0)
# Seconds YouTube work pauses after a rate limit, captcha or bot check, one step per strike in a
# row (the last repeats); a successful download starts over at the first.
YOUTUBE_BACKOFF_STEPS = [
    float(step)
    for step in env_list("YOUTUBE_BACKOFF_STEPS", default=["900", "1800", "3600", "7200"])
]
