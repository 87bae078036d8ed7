"""The billing domain: pure rules about money, fees, invoices, payments and the ledger."""
