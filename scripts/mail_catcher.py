"""A local SMTP server for the embedded catalogue: every message becomes an ``.eml`` file.

scripts/serve starts it on loopback and points CKAN's mailer at it, so error-report
notifications work on one machine without a real mail server. Each message is
written to FOLDER as ``<UTC time>-<id>.eml`` (the message as sent, after an
``X-Envelope-To`` header naming its recipients): open it with any mail program,
or read it as text. Nothing leaves the machine.

    python scripts/mail_catcher.py --port 25000 var/mail

Exit codes: 0 stopped by SIGTERM or Ctrl-C, 1 the port or folder cannot be used,
2 usage error.
"""
from __future__ import annotations

import argparse
import datetime
import os
import signal
import sys
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlFolder:
    """aiosmtpd handler: writes each accepted message to ``folder`` as one ``.eml`` file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = "{}-{}.eml".format(stamp, uuid.uuid4().hex[:8])
        header = "X-Envelope-To: {}\r\n".format(", ".join(envelope.rcpt_tos)).encode("utf-8")
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        partial = self.folder / (name + ".part")
        # Written whole, then renamed: a reader never sees half a message.
        with open(partial, "wb") as fh:
            fh.write(header + content)
        os.replace(partial, self.folder / name)
        print("mail for {} -> {}".format(", ".join(envelope.rcpt_tos), name), flush=True)
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Local SMTP server that writes each message to FOLDER as an .eml file.")
    parser.add_argument("folder", type=Path, help="where the .eml files go (created if missing)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: "
                        "%(default)s; keep it on loopback)")
    parser.add_argument("--port", type=int, default=25000, help="port (default: %(default)s)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error("--port must be from 1 to 65535")
    try:
        args.folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print("mail_catcher: error: cannot use {}: {}".format(args.folder, exc.strerror or exc),
              file=sys.stderr)
        return 1
    controller = Controller(EmlFolder(args.folder), hostname=args.host, port=args.port)
    try:
        controller.start()
    except Exception as exc:  # the port is taken, or the address is not ours
        print("mail_catcher: error: cannot listen on {}:{}: {}".format(
            args.host, args.port, exc), file=sys.stderr)
        return 1
    print("mail catcher on {}:{}, writing to {}".format(args.host, args.port, args.folder),
          flush=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
