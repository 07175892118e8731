import type { ValidationOptions } from 'class-validator';
import { registerDecorator } from 'class-validator';
import { gtinProblem } from './domain/gtin';

/** A GTIN (8, 12, 13 or 14 digits with a correct GS1 check digit); the reason names what is wrong. */
export function IsGtin(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isGtin',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && gtinProblem(value) === null,
        defaultMessage: (args) =>
          `${args?.property} is not a GTIN: ${typeof args?.value === 'string' ? gtinProblem(args.value) : 'must be a string of digits'}`,
      },
    });
}
