// Klipfolio data sources and Adjust's callback settings hard-code these paths: change them only by
// adding a new version.
export const API_PREFIX = 'api/v1';
export const CALLBACK_ROUTE = 'adjust/callback';
export const HEALTH_ROUTE = 'health';
export const ETL_RUNS_ROUTE = 'etl/runs';
export const METRICS_ROUTE = 'metrics';
export const EVENTS_ROUTE = 'events';
// Prometheus looks for /metrics at the root: outside API_PREFIX (app.factory.ts), a route of its own
export const PROMETHEUS_ROUTE = 'metrics';
