"""Settings from the environment, with the defaults of SPEC §10."""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot run safely."""


def _decimal(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def from_env(require_secret: bool = True) -> dict:
    env = os.environ.get("FLASK_ENV") or os.environ.get("APP_ENV") or "production"
    debug = os.environ.get("FLASK_DEBUG") in ("1", "true", "True")
    development = env == "development" or debug
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if require_secret and not development:
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment, or set "
                "FLASK_ENV=development for a local run with a throw-away key."
            )
        secret = "dev-only-insecure-key"
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'meetings.sqlite'}"
        ),
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        # SPEC §10: the address people reach the service at; links made for the
        # outside world (calendar feeds, …) start with it. Unset: the request's host.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL"),
        # SPEC §2: grade thresholds
        "GRADE_HIGH_POTENTIAL": _decimal("GRADE_HIGH_POTENTIAL", "100"),
        "GRADE_HIGH_SUPPORT_RATIO": _decimal("GRADE_HIGH_SUPPORT_RATIO", "0.30"),
        # SPEC §3: compliance caps
        "MEAL_CAP_PER_HEAD": _decimal("MEAL_CAP_PER_HEAD", "300"),
        "DOCTOR_ANNUAL_CAP": _decimal("DOCTOR_ANNUAL_CAP", "2000"),
        "ATTENDANCE_FREQUENCY_LIMIT": _int("ATTENDANCE_FREQUENCY_LIMIT", 3),
        "ATTENDANCE_FREQUENCY_DAYS": _int("ATTENDANCE_FREQUENCY_DAYS", 90),
        "START_EARLIEST_HOURS": _int("START_EARLIEST_HOURS", 2),
        "API_TOKEN_MAX_AGE": _int("API_TOKEN_MAX_AGE", 12 * 3600),
        # SPEC §8 notifications: e-mail only when SMTP_HOST is set; otherwise the outbox keeps it
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_SENDER": os.environ.get("SMTP_SENDER", "meetings@localhost"),
        "SMTP_USER": os.environ.get("SMTP_USER"),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD"),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS") in ("1", "true", "True"),
        "SMTP_TIMEOUT": _int("SMTP_TIMEOUT", 10),
    }


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BOOTSTRAP_SERVE_LOCAL = True  # hospital intranets have no reliable CDN
    BABEL_DEFAULT_LOCALE = "zh"
    LANGUAGES = ("zh", "en")
    API_TITLE = "科室会 meetings API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    WTF_CSRF_TIME_LIMIT = None
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
