import { UnrecoverableError } from 'bullmq';
import { recordableFailure, RecordableFailures } from './recordable';

describe('recordable job failures', () => {
  it('replaces what PostgreSQL cannot store in the message and stack, keeping the error (and its class)', () => {
    const error = new UnrecoverableError("Unknown column 'batteryCodes\u0000' and half a pair \ud800");
    const out = recordableFailure(error) as Error;
    expect(out).toBe(error);
    expect(out).toBeInstanceOf(UnrecoverableError);
    expect(out.message).toBe("Unknown column 'batteryCodes\ufffd' and half a pair \ufffd");
    expect(out.stack).not.toContain('\u0000');
    expect((recordableFailure('plain \u0000') as Error).message).toBe('plain \ufffd');
  });

  it('applies to whatever a decorated process method throws', async () => {
    class P {
      @RecordableFailures()
      async process(): Promise<void> {
        throw new Error('bad \u0000 byte');
      }
    }
    await expect(new P().process()).rejects.toThrow('bad \ufffd byte');
  });
});
