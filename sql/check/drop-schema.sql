-- Purpose: the warehouse check's last step, also after a failure: its scratch schema goes, with every
--          table in it. {schema} is the check's own generated name (kpi_check_ and 8 hex digits).
DROP SCHEMA IF EXISTS {schema} CASCADE
