CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  amount_cents INTEGER NOT NULL
);
