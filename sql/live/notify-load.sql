-- Purpose: tell every process listening on the source database (listen.sql) that a load changed the
--          data, so their answer caches and event streams follow at once instead of at their next poll.
-- Grain: one notification, delivered to listeners when this statement's transaction commits.
-- Parameters: $1 the payload: JSON {"from": sender id, "version": run id of the new data version}.
SELECT pg_notify('kpi_data_changed', $1)
