"""JSON API (/api/v1) over the same analysis functions as the pages."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
