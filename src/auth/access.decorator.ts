import { SetMetadata } from '@nestjs/common';

// Who may call a route. Routes without the decorator need an admin key (deny by default).
export type AccessLevel = 'public' | 'callback' | 'metrics' | 'admin';
export const ACCESS_KEY = 'access';
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_KEY, level);
