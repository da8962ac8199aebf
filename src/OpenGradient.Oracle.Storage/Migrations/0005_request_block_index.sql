-- Looking a request up by its key (every state transition) must use the primary key. The block index began with the
-- same (chain_id, oracle) prefix, and on a table without statistics yet (a new node under its first load) the planner
-- took it instead and filtered every request of the oracle per lookup: cost growing with the table. Keyed on the block
-- alone, it serves only what it is for: the reorg scan "from block N on, in log order".
DROP INDEX oracle.requests_block_idx;
CREATE INDEX requests_block_idx ON oracle.requests (block_number, log_index);
