"""Load and fault harness for chatshop: a fake Graph API, signed WhatsApp webhooks, real workers."""
