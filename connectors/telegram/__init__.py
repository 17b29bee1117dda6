"""Telegram Bot API channel: `connectors.telegram.TelegramInput` in credentials.yml."""

from connectors.telegram.channel import TelegramInput, TelegramOutput, process_telegram_message

__all__ = ["TelegramInput", "TelegramOutput", "process_telegram_message"]
