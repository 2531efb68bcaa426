"""Alembic migrations of the registry, run programmatically when a registry is opened."""
