"""Pay and the quarter's accounts (docs/model.md §2.9)."""

from __future__ import annotations

import numpy as np

from .agents import Role
from .department import Department
from .ledger import ACTIVE
from .policies import Policy


def pay_sellers(model: Department, policy: Policy, book: np.ndarray, acquired: np.ndarray) -> None:
    """Pay by the policy's plan, from each desk's book revenue and the revenue of the clients it
    won in the acquisition window: base salary plus book income plus any acquisition bonus."""
    p = model.scenario
    staff = [s for s in model.on_staff if s.role is not Role.HEAD]
    desks = [s.desk for s in staff]
    book_income, bonus = policy.pay(model, [s.role for s in staff], book[desks], acquired[desks])
    base = [p.strategic.seller_salary if s.role is Role.STRATEGIC else p.pay.base_salary for s in staff]
    income = (np.array(base) + book_income + bonus).tolist()
    for seller, book_pay, total in zip(staff, book_income.tolist(), income, strict=True):
        seller.book_income, seller.income = book_pay, total
    model.head.book_income, model.head.income = 0.0, p.pay.head_salary


def pay_from_books(model: Department, policy: Policy) -> None:
    """Each seller's pay for the quarter from the ledger's booked revenue."""
    ledger, ndesk = model.ledger, len(model.desks)
    revenue, owner = ledger.revenue, ledger.owner
    # Per desk (shifted by one: owner -1 holds the rows without revenue).
    book = np.bincount(owner + 1, weights=revenue, minlength=ndesk + 1)[1:]
    recent = ledger.won >= max(model.quarter - model.scenario.pay.acquisition_window, model.founded + 1)
    acquired = np.bincount(ledger.winner + 1, weights=revenue * recent, minlength=ndesk + 1)[1:]
    pay_sellers(model, policy, book, acquired)


def pay_initial_books(model: Department, policy: Policy) -> None:
    """Sellers start with the income their initial books pay: it sets how hungry for new leads
    they are in the first quarter, as in every later one."""
    ledger, active = model.ledger, model.ledger.rows_in(*ACTIVE)
    revenue = ledger.size[active] * ledger.development[active]
    book = np.bincount(ledger.owner[active], weights=revenue, minlength=len(model.desks))
    pay_sellers(model, policy, book, np.zeros(len(model.desks)))


def payroll(model: Department) -> dict[str, float]:
    """This quarter's pay of everyone on staff (taken before anyone leaves): the total, and its
    base salaries, book commission and acquisition bonuses."""
    p, staff = model.scenario, model.on_staff
    total = sum(s.income for s in staff)
    base = sum(
        p.pay.head_salary
        if s.role is Role.HEAD
        else p.strategic.seller_salary
        if s.role is Role.STRATEGIC
        else p.pay.base_salary
        for s in staff
    )
    commission = sum(s.book_income for s in staff)
    return {"pay": total, "base_pay": base, "commission": commission, "bonuses": total - base - commission}


def accounts(model: Department, pay: dict[str, float], hiring: float) -> dict[str, float]:
    """9. Revenue, margin, pay, hiring and CRM costs, profit (at the founding quarter: the
    initial books' revenue and a quarter's pay at the initial incomes)."""
    p, ledger = model.scenario, model.ledger
    active = ledger.rows_in(*ACTIVE)
    if model.quarter > model.founded:
        revenue = float(ledger.revenue[active].sum())
    else:
        revenue = float((ledger.size[active] * ledger.development[active]).sum())
    crm = p.crm.licence * model.crm_use * len(model.on_staff) + model.one_off.pop("crm_cost", 0.0)
    hiring += model.one_off.pop("hiring_cost", 0.0)
    costs = pay["pay"] + hiring + crm
    margin = p.finance.gross_margin * revenue
    return {
        "revenue": revenue,
        "margin": margin,
        **pay,
        "hiring_cost": hiring,
        "crm_cost": crm,
        "costs": costs,
        "profit": p.finance.gross_margin * revenue - costs,
    }
