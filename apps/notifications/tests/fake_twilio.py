"""A stand-in for Twilio's Messages API on 127.0.0.1, for tests and benchmarks.

It answers the two calls the app makes the way Twilio does: creating a
message (`POST …/Accounts/{sid}/Messages.json`, 201 with the message
resource, or an error body with Twilio's code) and listing the latest
messages to a number (`GET …/Messages.json?To=…`). Tests script what the
next creations answer: success, an error status and code, or a slow answer.

    python -m apps.notifications.tests.fake_twilio --port 8765
"""

import argparse
import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "fake-twilio-auth-token"
INVALID_NUMBER = 21211
ERROR_MESSAGES = {
    INVALID_NUMBER: "The 'To' number {to} is not a valid phone number.",
    20500: "An internal server error has occurred.",
    20503: "Service is unavailable. Please try again.",
    20429: "Too Many Requests",
}


@dataclass(frozen=True)
class Step:
    """What the next message creation answers."""

    status: int = 201
    code: int | None = None
    delay: float = 0.0


OK = Step()


def error(status: int, code: int) -> Step:
    return Step(status=status, code=code)


def slow(seconds: float, then: Step = OK) -> Step:
    return Step(status=then.status, code=then.code, delay=seconds)


class FakeTwilio:
    """The server and what it has seen; start() runs it in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # every creation request, as received
        self.messages: list[dict] = []  # messages created (answered 201 or slow)
        self.invalid_numbers: set[str] = set()
        self._script: list[Step] = []
        self.server = ThreadingHTTPServer((host, port), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *steps: Step) -> None:
        with self.lock:
            self._script.extend(steps)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.messages.clear()
            self.invalid_numbers.clear()
            self._script.clear()

    def sent_to(self, to: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if m["to"] == to]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return True
            time.sleep(0.02)
        return False

    def _next_step(self, to: str) -> Step:
        with self.lock:
            if to.removeprefix("whatsapp:") in self.invalid_numbers:
                return error(400, INVALID_NUMBER)
            return self._script.pop(0) if self._script else OK

    def _create(self, form: dict[str, str]) -> tuple[int, dict, float]:
        to = form.get("To", "")
        with self.lock:
            self.requests.append(dict(form))
        step = self._next_step(to)
        if step.status != 201:
            message = ERROR_MESSAGES.get(step.code or 0, "Error").format(to=to)
            body = {
                "code": step.code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{step.code}",
                "status": step.status,
            }
            return step.status, body, step.delay
        now = datetime.now(UTC)
        sid = "SM" + uuid.uuid4().hex
        resource = {
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": format_datetime(now, usegmt=True),
            "date_sent": None,
            "date_updated": format_datetime(now, usegmt=True),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From", ""),
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {},
            "to": to,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }
        # Twilio has the message once it accepted the request, even if the
        # answer never reaches the caller (a slow answer, a dead client).
        with self.lock:
            self.messages.append(resource)
        return 201, resource, step.delay

    def _list(self, query: dict[str, list[str]]) -> dict:
        to = query.get("To", [""])[0]
        sender = query.get("From", [""])[0]
        size = int(query.get("PageSize", ["50"])[0])
        with self.lock:
            found = [
                m
                for m in reversed(self.messages)
                if (not to or m["to"] == to) and (not sender or m["from"] == sender)
            ][:size]
        return {
            "messages": found,
            "end": max(len(found) - 1, 0),
            "first_page_uri": "",
            "next_page_uri": None,
            "page": 0,
            "page_size": size,
            "previous_page_uri": None,
            "start": 0,
            "uri": "",
        }

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The status line and headers go out before the body; with
            # Nagle's algorithm the body then waits for the client's delayed
            # ACK, 40 ms a request that Twilio itself does not cost.
            disable_nagle_algorithm = True

            def log_message(self, format, *args):
                pass

            def _authorised(self) -> bool:
                expected = base64.b64encode(
                    f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()
                ).decode()
                return self.headers.get("Authorization", "") == f"Basic {expected}"

            def _answer(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _is_messages(self, path: str) -> bool:
                return path.startswith("/2010-04-01/Accounts/") and path.endswith(
                    "/Messages.json"
                )

            def do_POST(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode()
                if not self._is_messages(parts.path):
                    return self._answer(404, {"code": 20404, "status": 404})
                if not self._authorised():
                    return self._answer(401, {"code": 20003, "status": 401})
                form = {key: values[0] for key, values in parse_qs(raw).items()}
                status, body, delay = fake._create(form)
                if delay:
                    time.sleep(delay)
                self._answer(status, body)

            def do_GET(self):
                parts = urlsplit(self.path)
                if not self._is_messages(parts.path):
                    return self._answer(404, {"code": 20404, "status": 404})
                if not self._authorised():
                    return self._answer(401, {"code": 20003, "status": 401})
                self._answer(200, fake._list(parse_qs(parts.query)))

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    fake = FakeTwilio(port=args.port)
    print(f"Fake Twilio on {fake.url} (account {ACCOUNT_SID})", flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
