"""Runs the test provider: `python -m sso.tests.provider.serve --db PATH --client-id ID
--client-secret SECRET --redirect-uri URI [--redirect-uri URI ...]`. Binds a free 127.0.0.1 port,
prepares its database and the relying party's application, then prints `READY <port>` and serves
(threaded, until killed)."""

import argparse
import os
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", default=[])
    args = parser.parse_args()

    server = Server(("127.0.0.1", 0), QuietHandler)
    port = server.server_port
    os.environ["SSO_TEST_PROVIDER_DB"] = args.db
    os.environ["SSO_TEST_PROVIDER_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sso.tests.provider.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", run_syncdb=True, verbosity=0)
    Application.objects.create(
        name="lms",
        client_id=args.client_id,
        client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(args.redirect_uri),
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )
    server.set_app(get_wsgi_application())
    print(f"READY {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
