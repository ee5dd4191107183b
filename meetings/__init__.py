"""科室会 department-meeting service."""
from __future__ import annotations

import warnings

from flask import Flask, has_request_context, request, session
from sqlalchemy.exc import SAWarning
from werkzeug.routing import IntegerConverter

from . import validation  # noqa: F401  (marshmallow's messages in our words, before any schema)
from .config import INSTANCE_DIR, Defaults, check_secret, from_env
from .jsonio import JSONProvider
from . import database, extensions
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate

# SQLite stores NUMERIC as text-affinity numbers; Money quantises on the way
# out, so the "no native Decimal" warning is noise here.
warnings.filterwarnings("ignore", message=".*does \\*not\\* support Decimal objects natively",
                        category=SAWarning)


def select_locale():
    """Pages: the user's choice, else Chinese. API: Accept-Language, else English."""
    languages = ("zh", "en")
    if not has_request_context():
        return "zh"  # jobs and commands: the UI's default language
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or "en"
    return session.get("lang") or "zh"


class BoundedInt(IntegerConverter):
    """<int:…> in URLs stops at the largest id, so an absurd number is a plain
    404 instead of an integer overflow in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# SPEC §11: on every response. No inline script anywhere (JS is static files;
# tests/test_headers.py keeps it so). A few pages still carry style="…"
# attributes: CSP3 browsers allow those (style-src-attr) but no <style>
# element (style-src-elem 'self'); style attributes cannot run script. Once
# they are gone, drop 'unsafe-inline'. Images may be data: URLs (the QR code
# on the staff page, Bootstrap's icons, the signature pad).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "style-src-elem 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _harden(app: Flask) -> None:
    """Cookies, proxies and headers (SPEC §11)."""
    secure = (app.config.get("PUBLIC_URL") or "").startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=app.config["SESSION_MAX_AGE"])
    from .web.sessions import SkewTolerantSessionInterface
    app.session_interface = SkewTolerantSessionInterface()  # a second of skew ends no session
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:  # X-Forwarded-* are believed only from the configured proxies
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_prefix=proxies)

    hsts = "max-age=31536000" if secure else None  # browsers keep to https for a year

    @app.after_request
    def security_headers(response):
        # one pass over the headers a view set, not one per header added
        present = {name.lower() for name, _value in response.headers}
        for name, value in SECURITY_HEADERS.items():
            if name.lower() not in present:
                response.headers.add(name, value)
        if hsts and "strict-transport-security" not in present:
            response.headers["Strict-Transport-Security"] = hsts
        if _private(response):
            # no browser, proxy or shared computer keeps a copy: a doctor's
            # signatures in an export, a bearer token, a page with names
            response.headers["Cache-Control"] = "no-store"
        return response


def _private(response) -> bool:
    """Every answer but static files is private: the API's (JSON, exports,
    the token) and any page of a logged-in user; public pages (login, the QR
    page) carry a form token, so they are not kept either."""
    if not has_request_context() or "/static/" in request.path:
        return False
    return "no-store" not in (response.headers.get("Cache-Control") or "")


class App(Flask):
    """The application: Flask with one unit of work per request."""

    def dispatch_request(self):
        """The view's answer, and the request's one commit (database.finish_request):
        kept when the view returns an answer below 400, rolled back when it
        raises (meetings/errors.py) or answers with an error. For the API and
        the pages alike — no blueprint, decorator or form helper commits."""
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        database.finish_request(response.status_code)
        return response


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    app = App(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.json = JSONProvider(app)
    app.config.from_object(Defaults)
    app.config.update(from_env(require_secret="SECRET_KEY" not in config))
    app.config.update(config)
    check_secret(app.config)
    _harden(app)
    app.url_map.converters["int"] = BoundedInt  # /meetings/<int:id>: huge numbers are 404s
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)

    from . import logs
    logs.configure_logging(app)
    logs.register_request_log(app)
    database.engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(INSTANCE_DIR.parent / "translations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    from .rest import ErrorSchema
    # the error body as it is (with `reason`), before the spec is built
    extensions.api.ERROR_SCHEMA = ErrorSchema
    extensions.api.init_app(app)

    from . import errors, health, hostile, models  # noqa: F401  (models: every table for Alembic)
    hostile.register(app)  # bad JSON, NUL bytes: a 400 before anything else looks
    with app.app_context():
        database.configure(db.engine)

    from .subscriptions import connect_all
    connect_all()  # signal receivers and the meeting's submit checks, before any request

    from .api import register_api
    register_api(app, extensions.api, csrf)
    errors.register(app)  # after api.init_app: our handlers replace flask-smorest's

    app.register_blueprint(health.bp)
    from .pages import register_web
    register_web(app)

    from .cli import register_cli
    register_cli(app)
    return app
