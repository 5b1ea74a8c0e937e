-- Purpose: hear the loads other processes commit (see notify-load.sql): this session receives each
--          notification on the channel until it ends. The source database is the one every replica shares.
-- Grain: none. Parameters: none (LISTEN takes no parameters; the channel name is a constant).
LISTEN kpi_data_changed
