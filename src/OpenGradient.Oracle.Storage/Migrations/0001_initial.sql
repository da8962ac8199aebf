-- Requests, listener cursors, nonces and outbound transactions. uint256 -> numeric(78,0); uint64 -> numeric(20,0);
-- addresses, hashes and payloads -> bytea.

CREATE TABLE oracle.requests (
    chain_id            numeric(20,0) NOT NULL,
    oracle              bytea         NOT NULL CHECK (length(oracle) = 20),
    request_id          numeric(78,0) NOT NULL CHECK (request_id >= 0),
    -- the on-chain Request struct
    requester           bytea         NOT NULL CHECK (length(requester) = 20),
    fee                 numeric(78,0) NOT NULL,
    model_id            bytea         NOT NULL CHECK (length(model_id) = 32),
    input_hash          bytea         NOT NULL CHECK (length(input_hash) = 32),
    deadline            numeric(20,0) NOT NULL,
    callback_gas_limit  bigint        NOT NULL,
    output_bytes        bigint        NOT NULL,
    redundancy          smallint      NOT NULL,
    input               bytea         NOT NULL,
    -- where the log was seen
    block_number        numeric(20,0) NOT NULL,
    block_hash          bytea         NOT NULL CHECK (length(block_hash) = 32),
    tx_hash             bytea         NOT NULL CHECK (length(tx_hash) = 32),
    log_index           bigint        NOT NULL,
    -- state (RequestStatus), guarded by version
    status              smallint      NOT NULL,
    outcome_output      bytea,
    outcome_failure     integer,
    submission_tx_hash  bytea,
    submission_nonce    numeric(20,0),
    detail              text,
    version             bigint        NOT NULL DEFAULT 1,
    created_at          timestamptz   NOT NULL,
    updated_at          timestamptz   NOT NULL,
    CONSTRAINT requests_pkey PRIMARY KEY (chain_id, oracle, request_id),
    CONSTRAINT requests_outcome_one CHECK (outcome_output IS NULL OR outcome_failure IS NULL)
);
CREATE INDEX requests_status_updated_idx ON oracle.requests (status, updated_at);
CREATE INDEX requests_block_idx ON oracle.requests (chain_id, oracle, block_number);

CREATE TABLE oracle.chain_cursors (
    chain_id      numeric(20,0) NOT NULL,
    oracle        bytea         NOT NULL CHECK (length(oracle) = 20),
    block_number  numeric(20,0) NOT NULL,
    block_hash    bytea         NOT NULL CHECK (length(block_hash) = 32),
    updated_at    timestamptz   NOT NULL,
    CONSTRAINT chain_cursors_pkey PRIMARY KEY (chain_id, oracle)
);

CREATE TABLE oracle.nonces (
    chain_id    numeric(20,0) NOT NULL,
    address     bytea         NOT NULL CHECK (length(address) = 20),
    next_nonce  numeric(20,0) NOT NULL CHECK (next_nonce >= 0),
    updated_at  timestamptz   NOT NULL,
    CONSTRAINT nonces_pkey PRIMARY KEY (chain_id, address)
);

CREATE TABLE oracle.outbound_transactions (
    chain_id                  numeric(20,0) NOT NULL,
    hash                      bytea         NOT NULL CHECK (length(hash) = 32),
    from_address              bytea         NOT NULL CHECK (length(from_address) = 20),
    to_address                bytea         NOT NULL CHECK (length(to_address) = 20),
    nonce                     numeric(20,0) NOT NULL,
    raw                       bytea         NOT NULL,
    max_fee_per_gas           numeric(78,0) NOT NULL,
    max_priority_fee_per_gas  numeric(78,0) NOT NULL,
    gas_limit                 numeric(20,0) NOT NULL,
    status                    smallint      NOT NULL,
    mined_block_number        numeric(20,0),
    created_at                timestamptz   NOT NULL,
    updated_at                timestamptz   NOT NULL,
    CONSTRAINT outbound_transactions_pkey PRIMARY KEY (chain_id, hash)
);
CREATE INDEX outbound_transactions_sender_idx ON oracle.outbound_transactions (chain_id, from_address, status, nonce);

CREATE TABLE oracle.outbound_transaction_requests (
    chain_id    numeric(20,0) NOT NULL,
    tx_hash     bytea         NOT NULL,
    oracle      bytea         NOT NULL,
    request_id  numeric(78,0) NOT NULL,
    CONSTRAINT outbound_transaction_requests_pkey PRIMARY KEY (chain_id, tx_hash, oracle, request_id),
    CONSTRAINT outbound_transaction_requests_tx_fkey FOREIGN KEY (chain_id, tx_hash)
        REFERENCES oracle.outbound_transactions (chain_id, hash) ON DELETE CASCADE
);
CREATE INDEX outbound_transaction_requests_request_idx ON oracle.outbound_transaction_requests (chain_id, oracle, request_id);
