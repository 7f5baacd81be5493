"""Rasa input/output channels of our own (see credentials.yml)."""
