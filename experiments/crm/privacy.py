"""Pseudonyms for sellers, teams and clients: stable short hashes, the same on every run and machine.

The hash is not salted, so the same name always gets the same pseudonym (reports of two imports
can be compared). That makes the pseudonyms *pseudonymous, not anonymous*: someone holding a
list of candidate names can hash them and match. Outputs stay on this machine.
"""

from __future__ import annotations

import hashlib

PREFIXES = {"seller": "S", "team": "T", "client": "C"}


def pseudonym(kind: str, name: str) -> str:
    """``S-3f2a91c0`` for a seller, ``T-…`` for a team, ``C-…`` for a client."""
    digest = hashlib.sha256(f"{kind}:{name.strip()}".encode()).hexdigest()[:8]
    return f"{PREFIXES[kind]}-{digest}"


class Names:
    """How names appear in outputs: pseudonymised (the default) or kept."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, kind: str, name: str) -> str:
        if self.keep:
            return name
        key = (kind, name)
        if key not in self._cache:
            self._cache[key] = pseudonym(kind, name)
        return self._cache[key]

    def seller(self, name: str) -> str:
        return self("seller", name)

    def client(self, name: str) -> str:
        return self("client", name)

    def team(self, name: str) -> str:
        return self("team", name)
