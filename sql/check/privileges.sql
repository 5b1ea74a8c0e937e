-- Purpose: the database privileges the service needs (docs/production.md): CREATE (the migrations
--          create schema stg) and TEMP (each run's staging and work tables); and who owns schema stg when
--          it exists (the service must: LOCK, VACUUM and ANALYZE need the owner).
-- Returns: one row; stg_owner NULL when there is no schema stg yet.
SELECT has_database_privilege(current_database(), 'CREATE') AS can_create,
       has_database_privilege(current_database(), 'TEMP') AS can_temp,
       (SELECT u.usename FROM pg_namespace n JOIN pg_user u ON u.usesysid = n.nspowner WHERE n.nspname = 'stg') AS stg_owner
