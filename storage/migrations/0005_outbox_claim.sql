-- zhibu schema, version 5: an index in the order the dispatcher claims rows.
--
-- claim_due asks for pending rows "ORDER BY urgent DESC, not_before, id". With the old index
-- on (state, not_before) SQLite had to sort every due row before the LIMIT: 10.5 ms per claim
-- with 10,000 rows pending, most of a broadcast's database time. This index hands them out in
-- order, so a claim reads only the rows it takes (0.15 ms).

DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_claim ON outbox(state, urgent DESC, not_before, id);
