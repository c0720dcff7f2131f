"""催报: the platform's list of units not reported or failing checks, imported (all or nothing),
previewed and confirmed; each statistician chased once with a receipt per item; re-imports
close the loop; escalation by deadline; the board; figures and the ledger."""
