"""A real HTTP receiver on loopback for the webhook tests: a threaded http.server that records every
request it gets and answers as the test scripts it (status, headers, body, a delay), over plain
http or TLS with a certificate of the test's own."""

import http.server
import json
import queue
import ssl
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ok": true}'
    delay: float = 0.0


class Receiver:
    """`url` to point an endpoint at; `requests` as received; `answer(...)` sets the default reply,
    `script(...)` queues replies used first, one per request."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"):
        self.requests: list[Received] = []
        self.default = Answer()
        self.scripted: queue.SimpleQueue[Answer] = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # the head and the body are two writes: no 40 ms delayed-ACK stall

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.arrived:
                    receiver.requests.append(Received("POST", self.path, dict(self.headers.items()), body))
                    receiver.arrived.notify_all()
                try:
                    answer = receiver.scripted.get_nowait()
                except queue.Empty:
                    answer = receiver.default
                if answer.delay and receiver.stopping.wait(answer.delay):
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST

            def log_message(self, format, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a client that hung up: not the test's business
                pass

        self.server = Server((host, 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hooks"

    def url_for(self, host: str, path: str = "/hooks") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def answer(self, status: int = 200, *, headers=None, body: bytes = b'{"ok": true}', delay: float = 0.0):
        self.default = Answer(status, headers or {}, body, delay)

    def script(self, *answers: Answer) -> None:
        for answer in answers:
            self.scripted.put(answer)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
        return list(self.requests)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
