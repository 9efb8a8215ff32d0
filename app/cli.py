"""The `backprop-viz` console script (also `python -m app`): serves the app with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

# seconds SIGTERM waits for requests in progress before it cancels them (their jobs too)
GRACEFUL_SHUTDOWN = 10


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="backprop-viz", description=__doc__.split(":")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--reload", action="store_true", help="restart on code changes (development)"
    )
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="log every request (off by default: at lecture-hall rates it costs more than a step)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0 to 65535")
    if args.reload and args.workers > 1:
        parser.error("--reload and --workers > 1 cannot be combined")
    print(f"backprop-viz: open http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        access_log=args.access_log,
        proxy_headers=True,  # trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (default 127.0.0.1)
        http="app.server:HttpProtocol",  # times out slow clients (app/server.py)
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )


if __name__ == "__main__":
    main()
