"""Custom Rasa input/output channels: WhatsApp Cloud API, Telegram Bot API, Instagram messaging.

Each platform package (`connectors.whatsapp`, `connectors.telegram`, `connectors.instagram`) has
pure parsing and message-building modules, an API module that sends with retries, and a channel
module with the Rasa `InputChannel`/`OutputChannel`. The shared pipeline (authenticate, parse,
persist-then-acknowledge, per-sender background processing, restart recovery) is in `webhook.py`.
"""
