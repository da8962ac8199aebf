-- What a mined (or reverted) transaction cost, from its receipt: the dashboard's gas column. Null while pending, for
-- transactions that never got a receipt (replaced, dropped), and for rows recorded before this migration.
ALTER TABLE oracle.outbound_transactions
    ADD COLUMN gas_used            bigint        CHECK (gas_used >= 0),
    ADD COLUMN effective_gas_price numeric(78,0) CHECK (effective_gas_price >= 0);
