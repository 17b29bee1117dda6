"""Stand-ins for the messaging platforms, on loopback, for tests and `make bench`.

`platform_apis`: the Graph API (WhatsApp, Instagram) and the Telegram Bot API as servers that
answer with the documented response shapes and record every request; `webhooks`: the webhook
deliveries those platforms POST (documented payload shapes) and their signatures. Never used
by the product's processes.
"""
