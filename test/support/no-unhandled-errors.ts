/**
 * Every test file fails on an error nobody handled: an unhandled promise rejection, an uncaught exception, or an error
 * a library could only print (an EventEmitter's 'error' with no listener, which BullMQ catches and hands to
 * console.error: that is how a failing job that could not be recorded as failed went unnoticed). The app itself logs
 * through pino, never console.error, so an Error printed there is one nobody handled.
 */
import { types } from 'node:util';

const unhandled: unknown[] = [];
const record = (error: unknown) => unhandled.push(error);
const consoleError = console.error.bind(console);

beforeAll(() => {
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  console.error = (...args: unknown[]) => {
    // Errors made by Node itself (ERR_UNHANDLED_ERROR) come from another realm than the test's: instanceof fails.
    const error = args.find((a) => a instanceof Error || types.isNativeError(a));
    if (error) record(error);
    consoleError(...args);
  };
});

afterAll(async () => {
  // Errors raised while the file's app was closing arrive a tick later.
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
  console.error = consoleError;
  const seen = unhandled.splice(0).map((e) => (e instanceof Error || types.isNativeError(e) ? `${e.name}: ${e.message}` : String(e)));
  expect(seen).toEqual([]);
});
