"""Settings from the environment, with the defaults of SPEC §10."""
from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot run safely."""


def _decimal(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _frequencies(name: str, default: str) -> dict[str, int]:
    """"A=7,B=7,C=14,D=28": days between routine visits per grade (SPEC §15)."""
    out = {}
    for part in os.environ.get(name, default).split(","):
        grade, _, days = part.partition("=")
        if grade.strip() not in ("A", "B", "C", "D") or not days.strip().isdigit() or int(days) < 1:
            raise ConfigError(f"{name}: write it as A=7,B=7,C=14,D=28 (got {part!r})")
        out[grade.strip()] = int(days)
    missing = {"A", "B", "C", "D"} - set(out)
    if missing:
        raise ConfigError(f"{name}: no frequency for grade(s) {', '.join(sorted(missing))}")
    return out


def _font_path() -> str | None:
    path = os.environ.get("PDF_FONT") or None
    if path and not Path(path).is_file():
        # the operator asked for embedded fonts: printing without them silently would be worse
        raise ConfigError(f"PDF_FONT={path} is not a file (a CJK TrueType font, e.g. "
                          "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc)")
    return path


def _files_url() -> str:
    url = os.environ.get("FILES_URL") or f"file://{INSTANCE_DIR / 'files'}"
    if not (url.startswith("file://") and len(url) > len("file://")) and not (
            url.startswith("s3://") and len(url) > len("s3://")):
        raise ConfigError(f"FILES_URL={url} names no store: use file://<folder> or s3://<bucket>/<prefix>")
    return url


MIN_SECRET_BYTES = 32


def development_secret() -> str:
    """A random key per development instance, kept under instance/ so sessions
    survive a restart: never a constant that anyone could read in the source
    and forge cookies with."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def check_secret(config: dict) -> None:
    """Outside development a key shorter than 32 bytes is refused at start-up."""
    secret = config.get("SECRET_KEY") or ""
    if config.get("DEVELOPMENT"):
        return
    if len(secret.encode() if isinstance(secret, str) else secret) < MIN_SECRET_BYTES:
        raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes (e.g. "
                          "python -c 'import secrets; print(secrets.token_urlsafe(48))').")


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
        secret = development_secret() if development else None
    return {
        "ENV_NAME": env,
        "DEVELOPMENT": development,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'meetings.sqlite'}"
        ),
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        # SPEC §2: grade thresholds
        "GRADE_HIGH_POTENTIAL": _decimal("GRADE_HIGH_POTENTIAL", "100"),
        "GRADE_HIGH_SUPPORT_RATIO": _decimal("GRADE_HIGH_SUPPORT_RATIO", "0.30"),
        # SPEC §3: compliance caps
        "MEAL_CAP_PER_HEAD": _decimal("MEAL_CAP_PER_HEAD", "300"),
        "DOCTOR_ANNUAL_CAP": _decimal("DOCTOR_ANNUAL_CAP", "2000"),
        "ATTENDANCE_FREQUENCY_LIMIT": _int("ATTENDANCE_FREQUENCY_LIMIT", 3),
        "ATTENDANCE_FREQUENCY_DAYS": _int("ATTENDANCE_FREQUENCY_DAYS", 90),
        # SPEC §9: the scorecard's weights (points of each part)
        "SCORE_WEIGHT_HARDWARE": _decimal("SCORE_WEIGHT_HARDWARE", "20"),
        "SCORE_WEIGHT_EXECUTION": _decimal("SCORE_WEIGHT_EXECUTION", "40"),
        "SCORE_WEIGHT_FOLLOWUP": _decimal("SCORE_WEIGHT_FOLLOWUP", "20"),
        "SCORE_WEIGHT_EFFECT": _decimal("SCORE_WEIGHT_EFFECT", "20"),
        # SPEC §15: routine visits, days between two visits per grade
        "VISIT_FREQUENCY_DAYS": _frequencies("VISIT_FREQUENCY_DAYS", "A=7,B=7,C=14,D=28"),
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
        # SPEC §11 operations: logs to stdout (json or text), probes, proxies
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "HEALTHZ_TIMEOUT": float(os.environ.get("HEALTHZ_TIMEOUT", "2")),
        "DB_CONNECT_TIMEOUT": _int("DB_CONNECT_TIMEOUT", 5),
        # SPEC §11: printed forms embed this CJK TrueType font (.ttf/.ttc; the face's index in a .ttc)
        "PDF_FONT": _font_path(),
        "PDF_FONT_INDEX": _int("PDF_FONT_INDEX", 0),
        # SPEC §11 (PIPL): signatures are kept this long, then purged by the purge_signatures job
        "SIGNATURE_RETENTION_DAYS": _int("SIGNATURE_RETENTION_DAYS", 3 * 365),
        # SPEC §10: every link for the outside world (QR codes, mail) starts with it
        "PUBLIC_URL": (os.environ.get("PUBLIC_URL") or "").rstrip("/") or None,
        # SPEC §11: proxy headers are trusted from this many proxies in front (0: none)
        "PROXY_COUNT": _int("PROXY_COUNT", 0),
        # SPEC §11: throttling shared by every worker — Redis when set, else the database
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "LOGIN_FAILURES_PER_ACCOUNT": _int("LOGIN_FAILURES_PER_ACCOUNT", 10),
        "LOGIN_FAILURES_PER_ADDRESS": _int("LOGIN_FAILURES_PER_ADDRESS", 100),
        "LOGIN_WINDOW": _int("LOGIN_WINDOW", 900),
        # SPEC §5: the public QR page
        "SELF_CHECKIN_PER_ADDRESS": _int("SELF_CHECKIN_PER_ADDRESS", 60),
        "SELF_CHECKIN_WINDOW": _int("SELF_CHECKIN_WINDOW", 600),
        "WALK_IN_CAP_MIN": _int("WALK_IN_CAP_MIN", 10),
        # sessions: idle and absolute lifetimes (seconds)
        "SESSION_IDLE_TIMEOUT": _int("SESSION_IDLE_TIMEOUT", 2 * 3600),
        "SESSION_MAX_AGE": _int("SESSION_MAX_AGE", 12 * 3600),
        # SPEC §12: attachments' bodies (file://<folder> or s3://bucket/prefix) and their limits
        "FILES_URL": _files_url(),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "ATTACHMENT_MAX_BYTES": _int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        "ATTACHMENT_MAX_PER_MEETING": _int("ATTACHMENT_MAX_PER_MEETING", 30),
        # an image larger than this (width × height) is refused before it is decoded
        "ATTACHMENT_MAX_PIXELS": _int("ATTACHMENT_MAX_PIXELS", 50_000_000),
        "EVIDENCE_PHOTOS_MIN": _int("EVIDENCE_PHOTOS_MIN", 1),
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
