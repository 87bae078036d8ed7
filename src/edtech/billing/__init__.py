"""Billing: fees, family accounts, invoices, payments, refunds and the ledger."""
