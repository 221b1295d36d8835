"""A real SMTP server for tests and benchmarks: aiosmtpd on 127.0.0.1.

In a test: the `smtp_server` fixture (tests/conftest.py) runs `SmtpServer` in a thread of the test process.
Separately (the kill test, `python -m benchmarks mail`): `python tests/smtp_server.py --port P --log FILE`
appends one line per received message (its Message-ID, read without parsing the rest) to FILE, so that lost and duplicate messages can be
counted from outside the process that sends them.
"""
from __future__ import annotations

import argparse
import email
import re
import socket
import threading
import time
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


_MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>\r\n]+>)", re.M | re.I)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Keeps every message; refuses recipients in `reject` (code and text) and answers 451 to the next
    `tempfail` messages' RCPT."""

    def __init__(self, log_path: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.raw: list[bytes] = []
        self.reject: dict[str, str] = {}
        self.tempfail = 0
        self.lock = threading.Lock()
        self.log = open(log_path, "a", buffering=1, encoding="utf-8") if log_path else None  # noqa: SIM115

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: ANN001, ANN201, N802
        """Announce PIPELINING (RFC 2920) as real servers do (aiosmtpd reads pipelined commands in order):
        civictest.mail.delivery then sends MAIL, RCPT and DATA in one write."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address.lower() in self.reject:
            return self.reject[address.lower()]
        with self.lock:
            if self.tempfail > 0:
                self.tempfail -= 1
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        raw = envelope.original_content or envelope.content
        if self.log is not None:  # a separate process that only counts: the Message-ID line, nothing parsed
            found = _MESSAGE_ID.search(raw)
            with self.lock:
                self.log.write(f"{found.group(1).decode() if found else '?'}\n")
            return "250 Message accepted for delivery"
        message = email.message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.raw.append(raw)
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a free port; `.messages` are the received messages (EmailMessage)."""

    def __init__(self, port: int | None = None, log_path: str | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.handler = RecordingHandler(log_path)
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> SmtpServer:
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     decode_data=False, enable_SMTPUTF8=True)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> dict:
        """The app settings that send to this server."""
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_USE_TLS": False,
                "MAIL_USERNAME": "", "MAIL_PASSWORD": ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True, help="file that gets one Message-ID line per received message")
    args = parser.parse_args()
    server = SmtpServer(args.port, args.log).start()
    print(f"listening on 127.0.0.1:{server.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
