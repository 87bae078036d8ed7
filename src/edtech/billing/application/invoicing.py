"""Use cases for invoices: generate from plans, draft by hand, finalize, credit, void, write off."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from edtech.billing.application.common import (
    BeforeCommit,
    UseCase,
    not_found,
    require_manager,
)
from edtech.billing.domain import ledger
from edtech.billing.domain.accounts import PayerAccount
from edtech.billing.domain.catalogue import DraftLine, Installment, plan_lines
from edtech.billing.domain.invoices import CreditNote, Invoice, LineKind
from edtech.billing.domain.money import Money
from edtech.billing.domain.payments import AllocationKind
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.catalogue import (
    SqlAlchemyFeeCategories,
    SqlAlchemyFeeItems,
    SqlAlchemyFeePlans,
    SqlAlchemyGrants,
)
from edtech.billing.infrastructure.repositories.invoices import (
    SqlAlchemyCreditNotes,
    SqlAlchemyInvoices,
)
from edtech.billing.infrastructure.repositories.payments import SqlAlchemyPayments
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


class InvoicingUseCase(UseCase):
    async def locked_invoice(self, institution_id: uuid.UUID, invoice_id: uuid.UUID) -> Invoice:
        """Lock the invoice's account, then the invoice: every money movement locks in that
        order (account first), so concurrent ones queue instead of deadlocking."""
        invoices = SqlAlchemyInvoices(self.uow.session, institution_id)
        found = await invoices.get(invoice_id)
        if found is None:
            raise not_found("Invoice")
        await SqlAlchemyPayerAccounts(self.uow.session, institution_id).get(
            found.account_id, lock=True
        )
        locked = await invoices.get(invoice_id, lock=True)
        assert locked is not None
        return locked

    async def finalize(self, invoice: Invoice) -> None:
        """Number the invoice, post it to the ledger, then apply any account credit to it."""
        inst = invoice.institution_id
        account = await SqlAlchemyPayerAccounts(self.uow.session, inst).get(invoice.account_id)
        recipients = await self.family_guardians(
            account, account.student_ids if account is not None else []
        )
        invoice.finalize(await self.next_number(inst, "invoice"), self.now(), recipients)
        await self.uow.session.flush()  # credit allocations below refer to the invoice row
        await self.post(
            inst,
            ledger.invoice_issued(
                invoice.account_id,
                invoice.id,
                invoice.currency,
                [ln.amount_minor for ln in invoice.lines],
            ),
        )
        payments = SqlAlchemyPayments(self.uow.session, inst)
        for payment in await payments.with_credit(invoice.account_id):
            due = invoice.amount_due_minor
            if due == 0 or invoice.status != "open":
                break
            take = min(due, payment.unallocated_minor)
            payments.add_allocation(
                payment.allocate(invoice, take, AllocationKind.CREDIT, new_id(), self.now())
            )
            await self.post(
                inst,
                ledger.reduce_receivable(
                    ledger.EntryKind.CREDIT_APPLIED,
                    invoice.account_id,
                    payment.id,
                    invoice.currency,
                    take,
                ),
            )


@dataclass(frozen=True)
class GenerateInvoicesCmd:
    """Which instalments to bill: one plan's instalments in a term, or due by a date."""

    plan_id: uuid.UUID
    term_id: uuid.UUID | None = None
    due_by: date | None = None
    finalize: bool = True


class GenerateInvoices(InvoicingUseCase):
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
                    self.uow.session, principal.institution_id, sid, self.now().date()
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


@dataclass(frozen=True)
class LineIn:
    description: str
    amount: str
    student_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None


@dataclass(frozen=True)
class NewInvoice:
    account_id: uuid.UUID
    due_on: date
    memo: str = ""
    lines: list[LineIn] = field(default_factory=list)


class InvoiceEditing(InvoicingUseCase):
    async def add_lines(self, account: PayerAccount, invoice: Invoice, lines: list[LineIn]) -> None:
        categories = await SqlAlchemyFeeCategories(self.uow.session, account.institution_id).by_id()
        problems: list[FieldProblem] = []
        for n, ln in enumerate(lines):
            if ln.student_id is not None and ln.student_id not in account.student_ids:
                problems.append(FieldProblem(("lines", n, "student_id"), "not on this account"))
            if ln.category_id is not None and ln.category_id not in categories:
                problems.append(FieldProblem(("lines", n, "category_id"), "no such category"))
        if problems:
            raise InvalidError("Some lines are not valid.", problems)
        for ln in lines:
            amount = Money.parse(ln.amount, account.currency).minor
            invoice.add_line(
                line_id=new_id(),
                kind=LineKind.MANUAL,
                description=ln.description,
                amount_minor=amount,
                student_id=ln.student_id,
                category_id=ln.category_id,
            )


class DraftInvoice(InvoiceEditing):
    """An invoice by hand: a draft for an account, with manual lines (negative = discount)."""

    async def __call__(self, principal: Principal, cmd: NewInvoice) -> Invoice:
        require_manager(principal)
        async with self.uow:
            session, inst = self.uow.session, principal.institution_id
            account = await SqlAlchemyPayerAccounts(session, inst).get(cmd.account_id)
            if account is None:
                raise InvalidError(
                    "Unknown account.", [FieldProblem(("account_id",), "no such account")]
                )
            invoice = Invoice(
                id=new_id(),
                institution_id=principal.institution_id,
                account_id=account.id,
                currency=account.currency,
                due_on=cmd.due_on,
                created_at=self.now(),
                memo=cmd.memo,
            )
            await self.add_lines(account, invoice, cmd.lines)
            SqlAlchemyInvoices(session, inst).add(invoice)
            await self.uow.commit()
            return invoice


class AddInvoiceLines(InvoiceEditing):
    """Lines are added to drafts only: an issued invoice is immutable (409)."""

    async def __call__(
        self, principal: Principal, invoice_id: uuid.UUID, lines: list[LineIn]
    ) -> Invoice:
        require_manager(principal)
        async with self.uow:
            inst = principal.institution_id
            invoice = await self.locked_invoice(inst, invoice_id)
            account = await SqlAlchemyPayerAccounts(self.uow.session, inst).get(invoice.account_id)
            assert account is not None
            await self.add_lines(account, invoice, lines)
            await self.uow.commit()
            return invoice


class FinalizeInvoice(InvoicingUseCase):
    """Finalizing gives a draft the institution's next invoice number and freezes it; any
    credit the account holds is applied to it at once."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
        require_manager(principal)
        async with self.uow:
            invoice = await self.locked_invoice(principal.institution_id, invoice_id)
            await self.finalize(invoice)
            await self.uow.commit()
            return invoice


class VoidInvoice(InvoicingUseCase):
    """An open invoice nobody paid can be voided; what it asked for stops being receivable."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
        require_manager(principal)
        async with self.uow:
            invoice = await self.locked_invoice(principal.institution_id, invoice_id)
            cancelled = invoice.void(self.now())
            if cancelled:
                await self.post(
                    invoice.institution_id,
                    ledger.reduce_receivable(
                        ledger.EntryKind.INVOICE_VOIDED,
                        invoice.account_id,
                        invoice.id,
                        invoice.currency,
                        cancelled,
                    ),
                )
            await self.uow.commit()
            return invoice


class MarkInvoiceUncollectible(InvoicingUseCase):
    """Writing off an open invoice moves what is still due to bad debt."""

    async def __call__(self, principal: Principal, invoice_id: uuid.UUID) -> Invoice:
        require_manager(principal)
        async with self.uow:
            invoice = await self.locked_invoice(principal.institution_id, invoice_id)
            written_off = invoice.mark_uncollectible(self.now())
            if written_off:
                await self.post(
                    invoice.institution_id,
                    ledger.reduce_receivable(
                        ledger.EntryKind.INVOICE_WRITTEN_OFF,
                        invoice.account_id,
                        invoice.id,
                        invoice.currency,
                        written_off,
                    ),
                )
            await self.uow.commit()
            return invoice


@dataclass(frozen=True)
class NewCreditNote:
    amount: str
    reason: str
    currency: str | None = None


class IssueCreditNote(InvoicingUseCase):
    """A credit note lowers what an open invoice asks for (at most its amount due) without
    touching the invoice's lines; it has its own gapless number."""

    async def __call__(
        self,
        principal: Principal,
        invoice_id: uuid.UUID,
        cmd: NewCreditNote,
        before_commit: BeforeCommit | None = None,
    ) -> CreditNote:
        require_manager(principal)
        async with self.uow:
            inst = principal.institution_id
            invoice = await self.locked_invoice(inst, invoice_id)
            account = await SqlAlchemyPayerAccounts(self.uow.session, inst).get(invoice.account_id)
            assert account is not None
            if cmd.currency is not None:
                account.require_currency(cmd.currency)
            amount = Money.parse(cmd.amount, invoice.currency).minor
            invoice.credit(amount, self.now())
            note = CreditNote(
                id=new_id(),
                institution_id=principal.institution_id,
                invoice_id=invoice.id,
                account_id=invoice.account_id,
                number=await self.next_number(inst, "credit_note"),
                currency=invoice.currency,
                amount_minor=amount,
                reason=cmd.reason,
                created_at=self.now(),
                created_by=principal.person_id,
            )
            SqlAlchemyCreditNotes(self.uow.session, inst).add(note)
            await self.post(
                inst,
                ledger.reduce_receivable(
                    ledger.EntryKind.CREDIT_NOTE,
                    invoice.account_id,
                    note.id,
                    invoice.currency,
                    amount,
                ),
            )
            await self.commit(note, before_commit)
            return note
