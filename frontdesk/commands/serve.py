"""``frontdesk serve``: run the Frontdesk web app (Twilio webhooks, media stream, console)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``serve`` command."""
    parser = subparsers.add_parser(
        "serve",
        help="run the web app: Twilio webhooks, the media stream and the staff console",
        description=(
            "Serve the Frontdesk app with uvicorn. Point the Twilio number's voice webhook at "
            "FRONTDESK_PUBLIC_URL/twilio/voice and its status callback at /twilio/status."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    parser.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-* headers from a reverse proxy on this machine",
    )
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from telephony.pipecat_logs import configure_pipecat_logging

    # Before pipecat is imported, so that its start-up banner goes through the bridge too.
    configure_pipecat_logging()
    from frontdesk.app import create_app
    from frontdesk.settings import Settings

    settings = Settings()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips="127.0.0.1" if args.proxy_headers else None,
        log_config=None,
        ws_max_size=1 << 20,
    )
    return 0
