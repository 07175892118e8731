import { createHash } from 'node:crypto';

/**
 * Merkle Tree Hash in the shape of RFC 6962 §2.1 (leaf and node hashes are
 * domain-separated with 0x00 / 0x01 prefixes, so a leaf can never pass for a
 * node). Built incrementally: leaves are pushed in order and only O(log n)
 * subtree roots are kept, so a checkpoint over millions of chain heads streams.
 */
export class MerkleAccumulator {
  /** Pending subtree roots, each with its size (a power of two), largest first. */
  private readonly stack: { size: number; hash: Buffer }[] = [];
  private count = 0;

  get leafCount(): number {
    return this.count;
  }

  push(leafData: Buffer): void {
    let node = { size: 1, hash: sha256(LEAF, leafData) };
    this.count++;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: sha256(NODE, left.hash, node.hash) };
    }
    this.stack.push(node);
  }

  /** The root; for no leaves, the hash of the empty string (as RFC 6962). */
  root(): Buffer {
    if (this.stack.length === 0) return createHash('sha256').digest();
    // Merging the pending subtrees right to left gives RFC 6962's split at the largest power of two.
    let hash = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = sha256(NODE, this.stack[i].hash, hash);
    return hash;
  }
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The leaf of one battery's chain head: its code, the head's sequence number and link hash. */
export function chainHeadLeaf(batteryCode: string, seq: number, linkHash: Buffer): Buffer {
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeUInt32BE(seq);
  return Buffer.concat([Buffer.from(batteryCode, 'utf8'), Buffer.from([0]), seqBytes, linkHash]);
}

/** Reference implementation (recursive, all leaves in memory) used to test the accumulator. */
export function merkleRootOf(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return sha256(LEAF, leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(NODE, merkleRootOf(leaves.slice(0, k)), merkleRootOf(leaves.slice(k)));
}
