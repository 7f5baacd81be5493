"""The multilingual support assistant: settings, policy, data and services."""
