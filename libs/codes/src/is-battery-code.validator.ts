import type { CodeForm } from '#libs/battery-code';
import { normalise, parse } from '#libs/battery-code';
import { Transform } from 'class-transformer';
import type { ValidationArguments, ValidationOptions } from 'class-validator';
import { registerDecorator } from 'class-validator';

export interface IsBatteryCodeOptions {
  /** Accept only this form: 'original' (24 characters) or 'cascade' (19, 梯次利用 re-code). Default: either. */
  form?: CodeForm;
}

/** Why `value` is not an acceptable battery code, or null when it is. Used by the decorator. */
export function batteryCodeProblems(value: unknown, options: IsBatteryCodeOptions = {}): string[] | null {
  if (typeof value !== 'string') return [`expected a string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`];
  const result = parse(value);
  if (!result.ok) return result.errors.map((e) => e.message);
  if (options.form && result.code.form !== options.form) {
    const article = (form: CodeForm) => (form === 'original' ? 'an original' : 'a cascade');
    return [`${article(result.code.form)} code (${result.code.code.length} characters) where ${article(options.form)} code is required`];
  }
  return null;
}

/**
 * class-validator: the property is a valid GB/T 34014 battery code (decoded with the codec, production
 * date not after today). The message lists every position error, e.g.
 * `code: position 17 (day): 'U' is not a day symbol; position 20 (serial): 'X' is not a serial-number digit`.
 *
 * Validators cannot change values: put `@NormaliseBatteryCode()` on the same property so the service
 * receives the normalised code (upper case, no spaces or hyphens, fragments joined). Without it a
 * lower-case or hyphenated code passes validation but reaches the service as typed.
 * Supports `{ each: true }` in `validationOptions` for arrays of codes.
 */
export function IsBatteryCode(options: IsBatteryCodeOptions = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isBatteryCode',
      target: object.constructor,
      propertyName: propertyName as string,
      constraints: [options],
      options: validationOptions,
      validator: {
        validate: (value: unknown) => batteryCodeProblems(value, options) === null,
        defaultMessage: (args?: ValidationArguments) => {
          const property = args?.property ?? String(propertyName);
          const value = args?.value;
          if (validationOptions?.each && Array.isArray(value)) {
            // class-validator reports `each` failures once for the whole array: name the failing elements.
            return value
              .map((v, i) => [i, batteryCodeProblems(v, options)] as const)
              .filter(([, problems]) => problems !== null)
              .map(([i, problems]) => `${property}[${i}]: ${problems!.join('; ')}`)
              .join('; ');
          }
          return `${property}: ${(batteryCodeProblems(value, options) ?? ['not a valid battery code']).join('; ')}`;
        },
      },
    });
  };
}

function normaliseOne(value: unknown): unknown {
  if (typeof value === 'string') return normalise(value);
  // The two printed fragments of a label (design part, production part), in that order.
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) return normalise(value as string[]);
  return value;
}

/**
 * class-transformer: normalises a battery code as scanners and people deliver it (trim, upper-case,
 * drop spaces and hyphens, full-width to ASCII) and joins a two-element array of fragments. Values of
 * other types are left alone for the validators to reject. With `{ each: true }` it normalises every
 * element of an array.
 */
export function NormaliseBatteryCode(options: { each?: boolean } = {}): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (options.each) return Array.isArray(value) ? value.map(normaliseOne) : value;
    return normaliseOne(value);
  });
}
