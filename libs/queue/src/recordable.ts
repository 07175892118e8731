import { storableText } from '#libs/common';

/**
 * An error a job failed with, made storable: BullMQ records the message and stack of a failed job, and on PostgreSQL
 * a NUL character (or half a surrogate pair) in them made that write fail (`invalid byte sequence for encoding
 * "UTF8": 0x00`): the job was then never recorded as failed, and the worker logged an unhandled error. The same
 * error object is returned (its class decides retries: UnrecoverableError), with those characters as U+FFFD.
 */
export function recordableFailure(error: unknown): unknown {
  if (error instanceof Error) {
    error.message = storableText(error.message);
    if (typeof error.stack === 'string') error.stack = storableText(error.stack);
    return error;
  }
  return new Error(storableText(String(error)));
}

/** On a processor's `process`: whatever it throws is recorded (see recordableFailure). */
export function RecordableFailures(): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => Promise<unknown>;
    descriptor.value = async function (this: unknown, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } catch (error) {
        throw recordableFailure(error);
      }
    };
  };
}
