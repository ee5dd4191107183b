"""科室会 department-meeting service."""
from __future__ import annotations

import warnings

from flask import Flask, has_request_context, request, session
from sqlalchemy.exc import SAWarning
from werkzeug.routing import IntegerConverter

from .config import INSTANCE_DIR, Defaults, from_env
from . import extensions
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


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.config.from_object(Defaults)
    app.config.update(from_env(require_secret="SECRET_KEY" not in config))
    app.config.update(config)
    app.url_map.converters["int"] = BoundedInt  # /meetings/<int:id>: huge numbers are 404s
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"))
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(INSTANCE_DIR.parent / "translations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    extensions.api.init_app(app)

    from . import database, errors, models  # noqa: F401  (models: every table for Alembic)
    with app.app_context():
        database.configure(db.engine)

    from .subscriptions import connect_all
    connect_all()  # signal receivers and the meeting's submit checks, before any request

    from .api import register_api
    register_api(app, extensions.api, csrf)
    errors.register(app)  # after api.init_app: our handlers replace flask-smorest's

    from .pages import register_web
    register_web(app)

    from .cli import register_cli
    register_cli(app)
    return app
