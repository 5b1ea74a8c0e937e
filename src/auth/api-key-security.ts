import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';

// The security schemes app.factory.ts declares: "Authorize" in /docs offers all three, and any one of
// them is enough for "Try it out".
export const ApiKeySecurity = () => applyDecorators(ApiSecurity('api-key'), ApiSecurity('api-key-query'), ApiBearerAuth('bearer'));
