/**
 * Benchmark runner: `npm run bench` runs every benchmark, `npm run bench -- <name> …` some.
 * Each benchmark measures against a baseline in the same run and prints medians and ratios
 * (this machine is shared and noisy; absolute numbers vary, ratios much less).
 */
import * as codec from './battery-code.bench';
import * as ingest from './ledger-ingest.bench';
import * as trace from './ledger-trace.bench';
import * as outlets from './outlets.bench';

const BENCHMARKS: Record<string, { run: () => Promise<void> }> = {
  codec,
  ingest,
  trace,
  outlets,
};

async function main(names: string[]): Promise<void> {
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  for (const name of selected) {
    const bench = BENCHMARKS[name];
    if (!bench) {
      console.error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHMARKS).join(', ')}`);
      process.exit(2);
    }
    console.log(`\n## ${name}`);
    await bench.run();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
