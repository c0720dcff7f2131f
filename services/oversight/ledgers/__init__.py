"""Excel 台账 sheets, one module per ledger kind, and the cells they are written with."""
