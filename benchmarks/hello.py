"""The floor for HTTP figures: a hello-world Flask app, served by the same
gunicorn settings as the service (`gunicorn … benchmarks.hello:app`)."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "ok"
