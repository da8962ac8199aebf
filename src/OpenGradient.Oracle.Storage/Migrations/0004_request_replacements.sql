-- Request ids are a counter in the contract: a reorg deeper than Chain:Confirmations can give a stored id to a
-- different request. The orphaned request moves here (its last state, as it was) and the replacement takes its key in
-- oracle.requests, so an auditor can still see what the reorg did.
CREATE TABLE oracle.superseded_requests (
    archive_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain_id               numeric(20,0) NOT NULL,
    oracle                 bytea         NOT NULL,
    request_id             numeric(78,0) NOT NULL,
    requester              bytea         NOT NULL,
    fee                    numeric(78,0) NOT NULL,
    model_id               bytea         NOT NULL,
    input_hash             bytea         NOT NULL,
    deadline               numeric(20,0) NOT NULL,
    callback_gas_limit     bigint        NOT NULL,
    output_bytes           bigint        NOT NULL,
    redundancy             smallint      NOT NULL,
    input                  bytea         NOT NULL,
    block_number           numeric(20,0) NOT NULL,
    block_hash             bytea         NOT NULL,
    tx_hash                bytea         NOT NULL,
    log_index              bigint        NOT NULL,
    status                 smallint      NOT NULL,
    outcome_output         bytea,
    outcome_failure        integer,
    submission_tx_hash     bytea,
    submission_nonce       numeric(20,0),
    detail                 text,
    version                bigint        NOT NULL,
    created_at             timestamptz   NOT NULL,
    updated_at             timestamptz   NOT NULL,
    -- when it was replaced, and by the request logged in which transaction
    superseded_at          timestamptz   NOT NULL,
    superseded_by_tx_hash  bytea         NOT NULL CHECK (length(superseded_by_tx_hash) = 32)
);
CREATE INDEX superseded_requests_key_idx ON oracle.superseded_requests (chain_id, oracle, request_id, archive_id);

-- A transaction carries a request *as logged in one transaction*: after a replacement, the key's transactions that
-- carried the orphaned request must not count as the replacement's (ResultSubmitter's "already sent" check).
-- Recorded from oracle.requests when the outbound transaction is stored; NULL when the request was not stored.
ALTER TABLE oracle.outbound_transaction_requests ADD COLUMN request_tx_hash bytea;
UPDATE oracle.outbound_transaction_requests q
   SET request_tx_hash = r.tx_hash
  FROM oracle.requests r
 WHERE r.chain_id = q.chain_id AND r.oracle = q.oracle AND r.request_id = q.request_id;
