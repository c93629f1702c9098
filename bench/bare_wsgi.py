"""A WSGI app without Django: `/health/`'s answer with nothing behind it. bench/run.py serves it with
the same gunicorn configuration as the project, so the table shows the server's own ceiling beside
Django's (the framework's floor is the difference)."""

BODY = b'{"status":"ok"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
