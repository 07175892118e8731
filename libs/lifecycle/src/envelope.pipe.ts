import { Injectable, PipeTransform, Type } from '@nestjs/common';
import { validate } from 'class-validator';
import { flattenValidationErrors, validationFailed } from '#libs/common';

/**
 * Validates a request envelope with its DTO without transforming what it carries: the global pipe would
 * deep-copy all 500 events through class-transformer before the ledger validates them again, its own way.
 * Same rules as the global pipe for the envelope's own fields (unknown fields rejected, 422 with paths).
 * Use on a parameter typed with an interface, so that the global pipe leaves it alone.
 */
@Injectable()
export class ShallowDtoPipe<T extends object> implements PipeTransform<unknown, Promise<T>> {
  constructor(private readonly dto: Type<T>) {}

  async transform(value: unknown): Promise<T> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw validationFailed([{ path: '', reason: 'the body must be a JSON object' }]);
    }
    const instance = Object.assign(new this.dto(), value);
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) throw validationFailed(flattenValidationErrors(errors));
    return instance;
  }
}
