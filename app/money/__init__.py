"""Money per visit: fees and reimbursed receipts, the ledger of what is owed, payout batches (docs/money.md)."""
