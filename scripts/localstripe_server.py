"""Runs localstripe (a Stripe emulator, for tests) bound to 127.0.0.1 only: its own command
listens on every interface. Usage: python scripts/localstripe_server.py [PORT]"""

import sys

from aiohttp import web
from localstripe.resources import store
from localstripe.server import app

store.dump_to_disk = lambda: None  # keep its state in memory; tests reset it between them
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8420, print=None)
