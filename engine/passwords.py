"""Password hashing: scrypt (werkzeug's default) everywhere people sign in.

The test suite creates hundreds of users; ``DOCKET_FAST_PASSWORD_HASH=1`` swaps scrypt for a single round of
PBKDF2 so that does not dominate its run time. That setting is for tests only: ``docket serve`` refuses to
start with it, and hashes made with it are rejected whenever it is off.
"""

from __future__ import annotations

import os

from werkzeug.security import check_password_hash, generate_password_hash

FAST_SETTING = "DOCKET_FAST_PASSWORD_HASH"
_FAST_METHOD = "pbkdf2:sha256:1"


def fast_hashing() -> bool:
    """True when the tests-only cheap hash is switched on."""
    return os.environ.get(FAST_SETTING, "") not in ("", "0")


def hash_password(password: str) -> str:
    """The stored form of ``password``."""
    return generate_password_hash(password, method=_FAST_METHOD if fast_hashing() else "scrypt")


def check_password(stored: str, password: str) -> bool:
    """Does ``password`` match the stored hash? Cheap test hashes never match outside the tests."""
    if stored.startswith(_FAST_METHOD + "$") and not fast_hashing():
        return False
    return check_password_hash(stored, password)
