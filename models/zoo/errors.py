"""Errors of the model zoo whose messages are meant for people."""

from __future__ import annotations


class CheckpointError(ValueError):
    """A weights file that cannot be used: unreadable, of another model, or mismatched."""
