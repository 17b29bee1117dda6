"""WhatsApp Cloud API channel: `connectors.whatsapp.WhatsAppInput` in credentials.yml."""

from connectors.whatsapp.channel import WhatsAppInput, WhatsAppOutput, process_whatsapp_message

__all__ = ["WhatsAppInput", "WhatsAppOutput", "process_whatsapp_message"]
