"""Configuration, security and outbound clients of the admin API."""
