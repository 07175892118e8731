/**
 * How far the ledger and the battery views follow batteries built into one another. GB/T 34014 products nest a few
 * levels (cell → module → pack → system, a cascade product made of originals); the bounds are well above that and
 * keep a walk finite if the data ever held a loop.
 */

/** Containers followed up from a battery (its parent, the parent's parent, …) to find the top-level battery whose state it shares. */
export const MAX_CONTAINMENT_DEPTH = 8;

/** Levels of composition links followed up or down from a battery: genealogy, the composition tree, visibility of what a pack holds. */
export const MAX_COMPOSITION_DEPTH = 6;
