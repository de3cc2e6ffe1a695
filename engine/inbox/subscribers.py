"""Hook subscribers of this feature (see engine.hooks); imported once by engine.features."""

from __future__ import annotations
