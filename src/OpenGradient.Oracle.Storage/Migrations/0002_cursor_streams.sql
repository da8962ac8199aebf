-- Several followers keep a cursor on the same oracle (the request listener, the challenge responder, the finality
-- keeper): the cursor is per stream. Existing rows are the request listener's.
ALTER TABLE oracle.chain_cursors ADD COLUMN stream text NOT NULL DEFAULT 'requests';
ALTER TABLE oracle.chain_cursors DROP CONSTRAINT chain_cursors_pkey;
ALTER TABLE oracle.chain_cursors ADD CONSTRAINT chain_cursors_pkey PRIMARY KEY (chain_id, oracle, stream);
