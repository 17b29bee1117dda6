"""Custom Rasa input/output channels: WhatsApp Cloud API, Telegram Bot API, Instagram messaging.

Each platform package (`connectors.whatsapp`, `connectors.telegram`, `connectors.instagram`) has
pure parsing and message-building modules, an API module that sends with retries, a `platform`
module implementing `connectors.platform.Platform`, and a `channel` module with the thin Rasa
`InputChannel` (loaded lazily, so the rest never imports Rasa). The shared pipeline is Rasa-free:
`receiving` (webhook POST/GET), `handling` (a claimed message), `sending` (the outbox sender),
`service` (the three by role); `webhook` adapts it to Rasa. `send` is the public send API.
"""
