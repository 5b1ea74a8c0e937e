-- Warehouse (PostgreSQL stand-in for Redshift): the schema the ETL loads into.
CREATE SCHEMA IF NOT EXISTS stg;
