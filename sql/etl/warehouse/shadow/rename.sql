-- Purpose: the swap, inside its one transaction: a table renamed within schema stg (the live one to
--          <name>_old, then the one built beside it to <name>).
-- Placeholders: {table} the table (schema-qualified); {name} its new name (RENAME TO takes no schema).
ALTER TABLE {table} RENAME TO {name}
