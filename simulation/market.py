"""Leads arrive: how many, what size, how complex (docs/model.md §2.1)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .department import Department
from .ledger import Rows
from .scenario import KnownClient


def draw_leads(
    model: Department, count: int, rng: np.random.Generator, consultative_share: float, strategic: bool = False
) -> Rows:
    """New leads (or the initial book): size, complexity and type, added to the ledger."""
    m, c = model.scenario.market, model.scenario.clients
    if count == 0:
        return np.empty(0, dtype=np.intp)
    consultative = np.ones(count, bool) if strategic else rng.random(count) < consultative_share
    shape = rng.beta(c.complexity_shape, c.complexity_shape, count)
    top = max(c.consultative_complexity_max, c.consultative_threshold)
    complexity = np.where(
        consultative,
        c.consultative_threshold + (top - c.consultative_threshold) * shape,
        c.consultative_threshold * shape,
    )
    size = m.size_median * rng.lognormal(0.0, m.size_sigma, count)
    size = size * np.where(consultative, m.consultative_size_factor, 1.0)
    if strategic:
        complexity = np.maximum(complexity, c.strategic_complexity)
        size = m.size_median * m.strategic_size_factor * rng.lognormal(0.0, m.strategic_size_sigma, count)
    return model.ledger.add(
        size=size,
        complexity=complexity,
        consultative=consultative,
        strategic=np.full(count, strategic),
        arrived=np.full(count, model.quarter),
        loyalty_firm=np.full(count, model.scenario.loyalty.firm_initial),
    )


def known_clients(model: Department, clients: Sequence[KnownClient], rng: np.random.Generator) -> Rows:
    """A seller's actual book (from a roster): sizes and types as given, complexity drawn within
    each client's type as for any lead."""
    c = model.scenario.clients
    if not clients:
        return np.empty(0, dtype=np.intp)
    consultative = np.array([k.consultative or k.strategic for k in clients])
    strategic = np.array([k.strategic for k in clients])
    shape = rng.beta(c.complexity_shape, c.complexity_shape, len(clients))
    top = max(c.consultative_complexity_max, c.consultative_threshold)
    complexity = np.where(
        consultative,
        c.consultative_threshold + (top - c.consultative_threshold) * shape,
        c.consultative_threshold * shape,
    )
    complexity = np.where(strategic, np.maximum(complexity, c.strategic_complexity), complexity)
    return model.ledger.add(
        size=np.array([k.size for k in clients]),
        complexity=complexity,
        consultative=consultative,
        strategic=strategic,
        arrived=np.full(len(clients), model.quarter),
        loyalty_firm=np.full(len(clients), model.scenario.loyalty.firm_initial),
    )


def receive_leads(model: Department) -> None:
    """Leads arrive (Poisson); a share is consultative; strategic leads are rare and large."""
    m = model.scenario.market
    rng = model.streams.quarter("leads", model.quarter)
    draw_leads(model, int(rng.poisson(m.leads_per_quarter)), rng, m.consultative_share)
    draw_leads(model, int(rng.poisson(m.strategic_leads_per_quarter)), rng, 1.0, strategic=True)
