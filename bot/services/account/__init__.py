"""Answers about the customer's own account: status, login help, cancellation."""
