"""Admin pages for regions, provinces and budget pools."""
from flask import Blueprint

bp = Blueprint("orgs_web", __name__, url_prefix="/admin")
