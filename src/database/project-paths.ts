import { fileURLToPath } from 'node:url';

// src/database/*.ts and dist/database/*.js both sit two levels below the project root.
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SQL_ROOT = fileURLToPath(new URL('../../sql/', import.meta.url));
