"""Registration: find the carrier in a station frame and warp it to the canonical crop."""

from __future__ import annotations

from service.registration.background import BackgroundModel
from service.registration.registrar import Registrar
from service.registration.types import Box, Registration, SearchHint

__all__ = ["BackgroundModel", "Box", "Registrar", "Registration", "SearchHint"]
