-- zhibu schema, version 6: what holds a member's later pushes back.
--
-- A push waiting for its retry (or still being sent) must not be overtaken by a later push to
-- the same member: an alert's "已由张书记接受" must not arrive before the alert, nor a
-- reminder's second half before its first. claim_due skips a row while the member has an
-- earlier one in flight or tried before (pending again, due or not); this index holds only
-- those few rows, so the check is one probe however long the queue is.

CREATE INDEX outbox_holding ON outbox(member_id, id)
    WHERE state = 'inflight' OR (state = 'pending' AND attempts > 0);
