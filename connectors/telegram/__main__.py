"""Register the Telegram webhook with its secret token.

    python -m connectors.telegram set-webhook https://bot.example.com/telegram_webhook
    python -m connectors.telegram webhook-info
    python -m connectors.telegram generate-secret

Uses TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET and TELEGRAM_API_URL from the environment
(or --bot-token/--secret), so Telegram then sends the secret in every update's
X-Telegram-Bot-Api-Secret-Token header, which /telegram_webhook checks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys

from connectors.retry import new_session
from connectors.signatures import valid_telegram_secret
from connectors.telegram.api import DEFAULT_API_URL, set_webhook, webhook_info


async def _run(args: argparse.Namespace) -> int:
    api_url = os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL
    token = args.bot_token or os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        print("TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    async with new_session() as client:
        if args.command == "set-webhook":
            secret = args.secret or os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
            if not valid_telegram_secret(secret):
                print("TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z a-z 0-9 _ -", file=sys.stderr)
                return 2
            if not args.url.startswith("https://"):
                print("Telegram only delivers to https:// URLs", file=sys.stderr)
            result = await set_webhook(client, api_url, token, args.url, secret)
        else:
            result = await webhook_info(client, api_url, token)
    print(json.dumps(result.body, indent=2) if result.body is not None else result.error)
    return 0 if result.ok else 1


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m connectors.telegram",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    setter = sub.add_parser("set-webhook", help="register URL with the secret token")
    setter.add_argument("url")
    setter.add_argument("--secret", help="default: TELEGRAM_WEBHOOK_SECRET")
    setter.add_argument("--bot-token", help="default: TELEGRAM_BOT_TOKEN")
    info = sub.add_parser("webhook-info", help="show getWebhookInfo (pending updates, errors)")
    info.add_argument("--bot-token", help="default: TELEGRAM_BOT_TOKEN")
    sub.add_parser("generate-secret", help="print a random secret token")
    args = parser.parse_args(argv)
    if args.command == "generate-secret":
        print(secrets.token_urlsafe(48))
        return 0
    return asyncio.run(_run(args))


if __name__ == "__main__":
    raise SystemExit(main())
