"""The use case that bills a fee plan's instalments to the accounts on it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from edtech.billing.application.common import InvoiceUseCase, require_manager
from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.domain.catalogue import DraftLine, Installment, plan_lines
from edtech.billing.domain.invoices import Invoice, LineKind
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyFeeItems,
    SqlAlchemyFeePlans,
    SqlAlchemyGrants,
)
from edtech.billing.infrastructure.repositories.invoices import SqlAlchemyInvoices
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class GenerateInvoicesCmd:
    """Which instalments to bill: one plan's instalments in a term, or due by a date."""

    plan_id: uuid.UUID
    term_id: uuid.UUID | None = None
    due_by: date | None = None
    finalize: bool = True


class GenerateInvoices(InvoiceUseCase):
    """Bill a plan's instalments (those of a term, or due by a date) to every account with a
    student on the plan: one invoice per payer account and instalment, lines per student and
    category, grants as negative lines, sponsored categories on the sponsor's invoice. An
    instalment already invoiced to an account is skipped, so the command can be re-run."""

    async def __call__(self, principal: Principal, cmd: GenerateInvoicesCmd) -> list[Invoice]:
        require_manager(principal)
        if (cmd.term_id is None) == (cmd.due_by is None):
            raise InvalidError(
                "Say which instalments to bill: a term or a due-by date.",
                [FieldProblem(("term_id",), "give term_id or due_by, not both")],
            )
        async with self.uow:
            institution, session = principal.institution_id, self.uow.session
            accounts = SqlAlchemyPayerAccounts(session, institution)
            invoices = SqlAlchemyInvoices(session, institution)
            plan = await SqlAlchemyFeePlans(session, institution).get(cmd.plan_id)
            if plan is None:
                raise InvalidError("Unknown plan.", [FieldProblem(("plan_id",), "no such plan")])
            chosen = [
                (k, inst)
                for k, inst in enumerate(plan.installments)
                if (cmd.term_id is not None and inst.term_id == cmd.term_id)
                or (cmd.due_by is not None and inst.due_on <= cmd.due_by)
            ]
            families = await accounts.on_plan(plan.id)
            students = [
                s.student_id for a in families for s in a.students if s.fee_plan_id == plan.id
            ]
            items = await SqlAlchemyFeeItems(session, institution).get_many(plan.item_ids)
            grants = await SqlAlchemyGrants(session, institution).of_students(students)
            categories = await SqlAlchemyFeeCategories(session, institution).by_id()
            sponsors = await accounts.sponsors_of(students)
            sponsor_of: dict[tuple[uuid.UUID, uuid.UUID], PayerAccount] = {
                (sp.student_id, sp.category_id): acc for acc in sponsors for sp in acc.sponsorships
            }
            fees = {}
            for sid in students:
                profile = await self.roster.student_profile(
                    principal.institution_id, sid, await self.today(principal.institution_id)
                )
                if profile is not None:
                    fees[sid] = plan_lines(plan, items, grants, profile, categories)
            created: list[Invoice] = []
            for k, inst in chosen:
                already = await invoices.accounts_billed_for(inst.id)
                by_payer: dict[uuid.UUID, list[DraftLine]] = defaultdict(list)
                payers: dict[uuid.UUID, PayerAccount] = {}
                for family in families:
                    for s in family.students:
                        if s.fee_plan_id != plan.id or s.student_id not in fees:
                            continue
                        for line in fees[s.student_id].per_installment[k]:
                            payer = family
                            if line.category_id is not None:
                                payer = sponsor_of.get((s.student_id, line.category_id), family)
                            payers[payer.id] = payer
                            by_payer[payer.id].append(line)
                for payer_id in sorted(by_payer):
                    if payer_id in already:
                        continue
                    invoice = self._invoice(payers[payer_id], plan.id, inst, by_payer[payer_id])
                    invoices.add(invoice)
                    created.append(invoice)
            if cmd.finalize:
                for invoice in created:
                    await self.finalize(invoice)
            await self.uow.commit()
            return created

    def _invoice(
        self, payer: PayerAccount, plan_id: uuid.UUID, inst: Installment, lines: list[DraftLine]
    ) -> Invoice:
        invoice = Invoice(
            id=new_id(),
            institution_id=payer.institution_id,
            account_id=payer.id,
            currency=payer.currency,
            due_on=inst.due_on,
            created_at=self.now(),
            memo=inst.label,
            plan_id=plan_id,
            installment_id=inst.id,
        )
        for line in lines:
            invoice.add_line(
                line_id=new_id(),
                kind=LineKind.DISCOUNT if line.amount_minor < 0 else LineKind.FEE,
                description=line.description,
                amount_minor=line.amount_minor,
                student_id=line.student_id,
                category_id=line.category_id,
                fee_item_id=line.fee_item_id,
                grant_id=line.grant_id,
            )
        return invoice
