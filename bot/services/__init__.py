"""Identity services: one-time codes, password resets, mail and a PII-free audit log.

Plain functions over a SQLAlchemy session, no Rasa imports, so actions stay about
dialogue and tests need no Rasa.
"""
