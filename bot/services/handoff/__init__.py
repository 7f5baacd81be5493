"""Handing a conversation to a person: tickets, the details asked, the helpdesk webhook."""
