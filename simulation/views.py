"""Read-only views an owner of state keeps in its instance dictionary, where a read finds them without
a call (a descriptor without ``__set__`` yields to the instance's entry), until its arrays change."""

from __future__ import annotations

from typing import Any


class KeptViews:
    """Base of a state owner whose descriptors named in ``VIEWS`` keep their views in ``__dict__``."""

    VIEWS: tuple[str, ...] = ()

    def _forget_views(self) -> None:
        """Drop the kept views (an array grew or was replaced: the next read makes new ones)."""
        for name in self.VIEWS:
            self.__dict__.pop(name, None)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the kept views: a pickled view would come back as a copy, blind to later writes."""
        return {key: value for key, value in self.__dict__.items() if key not in self.VIEWS}
