"""Pages for hospitals, departments and doctors."""
from flask import Blueprint

bp = Blueprint("doctors_web", __name__)
