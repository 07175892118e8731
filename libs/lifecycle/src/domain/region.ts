// GB/T 2260 region codes are checked in #libs/identifiers; plan.ts still imports the prefixes from here (kept while
// plan.ts is being split: import from '#libs/identifiers' directly and delete this file afterwards).
export { regionKeys } from '#libs/identifiers';
