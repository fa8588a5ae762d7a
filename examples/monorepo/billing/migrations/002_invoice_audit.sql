CREATE TABLE invoice_audit (invoice_id INTEGER, changed_at TEXT);
-- A trigger body holds semicolons; stagecraft splits statements around it correctly.
CREATE TRIGGER invoices_audit AFTER UPDATE ON invoices
BEGIN
  INSERT INTO invoice_audit VALUES (NEW.id, CURRENT_TIMESTAMP);
END;
