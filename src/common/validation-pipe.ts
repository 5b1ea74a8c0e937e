import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

// Validation at the edge: unknown parameters are refused, each message names the parameter and what it
// accepts (the DTOs' messages do; an unknown one lists the parameters the route takes).
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // the DTO instance tells which parameters the route accepts; values are never echoed
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => new BadRequestException({ message: errors.flatMap(messagesOf) }),
  });
}

function messagesOf(error: ValidationError): string[] {
  const own = Object.entries(error.constraints ?? {}).map(([name, message]) =>
    name === 'whitelistValidation' ? unknownParameter(error) : message,
  );
  return [...own, ...(error.children ?? []).flatMap(messagesOf)];
}

function unknownParameter(error: ValidationError): string {
  const accepted = error.target ? knownProperties(error.target.constructor) : [];
  const list = accepted.length > 0 ? `; this route accepts ${accepted.join(', ')}` : '';
  return `unknown parameter ${error.property}${list}`;
}

function knownProperties(target: Function): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false);
  // api_key is the key's own parameter, accepted everywhere
  return [...new Set(metadata.map((entry) => entry.propertyName))].filter((name) => name !== 'api_key');
}
