"""Telegram Bot API channel: `connectors.telegram.TelegramInput` in credentials.yml."""

from connectors.telegram.api import send_telegram_message
from connectors.telegram.channel import TelegramInput, TelegramOutput, process_telegram_message

__all__ = ["TelegramInput", "TelegramOutput", "process_telegram_message", "send_telegram_message"]
