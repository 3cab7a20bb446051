"""Channels: email, SMS and voice in and out."""
