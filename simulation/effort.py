"""How much of a seller's quarter each piece of work takes (docs/model.md §2.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import mechanisms as mech

if TYPE_CHECKING:
    from .ledger import ClientLedger
    from .scenario import Scenario

Floats = npt.NDArray[np.float64]


class Effort:
    """Effort per lead pursued, per client developed and servicing time per client, in quarters."""

    def __init__(self, scenario: Scenario) -> None:
        self.selling, self.size_median = scenario.selling, scenario.market.size_median

    def pursuit(self, ledger: ClientLedger, rows: Any) -> Floats:
        s = self.selling
        return np.where(
            ledger.strategic[rows],
            s.pursuit_effort_strategic,
            np.where(ledger.consultative[rows], s.pursuit_effort_consultative, s.pursuit_effort_transactional),
        )

    def development(self, ledger: ClientLedger, rows: Any) -> Floats:
        s = self.selling
        return s.development_effort * np.where(ledger.strategic[rows], s.strategic_development_factor, 1.0)

    def service(self, size: Any) -> Floats:
        s = self.selling
        return mech.service_demand(size, self.size_median, s.service_time, s.service_size_elasticity)
