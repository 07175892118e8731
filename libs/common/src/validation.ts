import type { ArgumentMetadata, ValidationError } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import type { ValidationOptions } from 'class-validator';
import { registerDecorator } from 'class-validator';
import { isIsoDate } from '#libs/identifiers';
import type { ErrorDetail } from './errors';
import { validationFailed } from './errors';

/** A field's path under its parent's, as error details write it: `events[3].payload.massKg`. */
export function fieldPath(parent: string, key: string): string {
  if (/^\d+$/.test(key)) return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Flattens class-validator's tree into one detail per failing field path. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const error of errors) {
    const path = fieldPath(parent, error.property);
    // A missing field gets one message, that it is required, not also every check its value would have failed.
    const constraints = error.constraints ?? {};
    const required = constraints[REQUIRED_WHEN] ?? constraints.isDefined;
    for (const reason of required !== undefined ? [required] : Object.values(constraints)) {
      out.push({ path, reason });
    }
    if (error.children && error.children.length > 0) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/** Where a parsed JSON body has a field whose value is `null` (at most `max` paths; array items are the DTO's to judge). */
export function nullPaths(value: unknown, max = 20, path = '', out: string[] = []): string[] {
  if (out.length >= max || typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => nullPaths(v, max, fieldPath(path, String(i)), out));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = fieldPath(path, k);
    if (v === null) {
      if (out.length < max) out.push(at);
    } else nullPaths(v, max, at, out);
  }
  return out;
}

/**
 * The global pipe: unknown fields are rejected, payloads become typed DTO instances. A request DTO has no field that
 * takes `null`, but `@IsOptional()` (and the PartialType of an update) skips every check on a null, which then
 * reached the database as a NOT NULL violation or a property read on null, a 500: a DTO-validated body with a null
 * in it is refused, naming each. (The ledger's event bodies are not DTOs: there a null field means an absent one.)
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.toValidate(metadata) && typeof value === 'object' && value !== null) {
      const paths = nullPaths(value);
      if (paths.length > 0) throw validationFailed(paths.map((path) => ({ path, reason: 'must not be null: leave the field out instead' })));
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe (see RequestValidationPipe). */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}

// The date check lives with the other pure value checks (#libs/identifiers); re-exported for the DTOs that use it.
export { isIsoDate };

/**
 * At most `places` decimal places. class-validator's `IsNumber({ maxDecimalPlaces })` reads the decimals from the
 * number's text and threw on exponent forms such as 1e-7 (a 500).
 */
export function MaxDecimalPlaces(places: number, options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'maxDecimalPlaces',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'number' || !Number.isFinite(value)) return true; // IsNumber says what is wrong
          // Rounded to the places allowed, the number must come back as itself (0.1234 does, 1e-7 and 5e-324 do not).
          const unit = 10 ** places;
          return Math.abs(Math.round(value * unit) / unit - value) <= Number.EPSILON * Math.abs(value);
        },
        defaultMessage: (args) => `${args?.property} must have at most ${places} decimal places`,
      },
    });
}

const REQUIRED_WHEN = 'requiredWhen';

/**
 * Required when `when(object)` holds (e.g. for original products), with one clear message when missing:
 * `ratedCapacityAh is required for original products`. Use with a `ValidateIf` that runs the field's other checks
 * only when the field is required or given; the flattener then reports only this message for a missing field.
 */
export function RequiredWhen<T>(when: (object: T) => boolean, forWhat: string): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: REQUIRED_WHEN,
      target: object.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args) => value !== undefined || !when(args?.object as T),
        defaultMessage: (args) => `${args?.property} is required for ${forWhat}`,
      },
    });
}

/** A calendar date YYYY-MM-DD that exists (see isIsoDate). */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isIsoDate',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: isIsoDate,
        defaultMessage: (args) => `${args?.property} must be a date YYYY-MM-DD that exists`,
      },
    });
}
