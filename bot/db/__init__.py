"""Database access: models, engine/session factory and migrations."""
