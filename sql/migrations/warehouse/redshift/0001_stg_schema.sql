-- Warehouse (Amazon Redshift): the schema the ETL loads into.
CREATE SCHEMA IF NOT EXISTS stg;
