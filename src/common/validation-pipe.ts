import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

// The API key may travel as a query parameter on any route (Klipfolio's simplest option); the key guard
// reads it before validation, so it is never a DTO's business.
const KEY_PARAMETER = 'api_key';

// Validation at the edge: each message names the parameter and says what it accepts (the DTOs' own
// messages, one per parameter), and an unknown parameter is refused with the list of those the route takes.
class EdgeValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) => new BadRequestException({ message: errors.flatMap((error) => Object.values(error.constraints ?? {})) }),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'query' || metadata.type === 'body') && metadata.metatype && this.toValidate(metadata) && isRecord(value)) {
      // checked here, on the raw names: class-transformer passes over names such as toString or
      // constructor, which the whitelist would then never see
      const accepted = acceptedParameters(metadata.metatype);
      const unknown = Object.keys(value).find((name) => !accepted.includes(name) && name !== KEY_PARAMETER);
      if (unknown !== undefined) {
        throw new BadRequestException({ message: `unknown parameter "${unknown}"; this route accepts ${accepted.join(', ') || 'none'}` });
      }
      if (KEY_PARAMETER in value) value = Object.fromEntries(Object.entries(value).filter(([name]) => name !== KEY_PARAMETER));
    }
    return super.transform(value, metadata);
  }
}

export function validationPipe(): ValidationPipe {
  return new EdgeValidationPipe();
}

function acceptedParameters(metatype: NonNullable<ArgumentMetadata['metatype']>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
