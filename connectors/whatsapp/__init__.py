"""WhatsApp Cloud API channel: `connectors.whatsapp.WhatsAppInput` in credentials.yml."""

from connectors.whatsapp.api import send_whatsapp_message
from connectors.whatsapp.channel import WhatsAppInput, WhatsAppOutput, process_whatsapp_message

__all__ = ["WhatsAppInput", "WhatsAppOutput", "process_whatsapp_message", "send_whatsapp_message"]
