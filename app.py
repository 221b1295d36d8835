"""The one entry point for gunicorn (`gunicorn app:app`) and the flask CLI (`flask --app app ...`)."""
from civictest import create_app

app = create_app()
