"""Tables of this feature (SQLAlchemy 2 typed models on engine.models.Base)."""

from __future__ import annotations
