import { createHash } from 'node:crypto';
import { chainHeadLeaf, MerkleAccumulator, merkleRootOf } from './merkle';

const leaf = (i: number) => Buffer.from(`leaf-${i}`);

describe('Merkle tree hash (RFC 6962 shape)', () => {
  it('matches the recursive definition for every size up to 70', () => {
    for (let n = 0; n <= 70; n++) {
      const acc = new MerkleAccumulator();
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      leaves.forEach((l) => acc.push(l));
      expect(acc.root().toString('hex')).toBe(merkleRootOf(leaves).toString('hex'));
      expect(acc.leafCount).toBe(n);
    }
  });

  it('matches hand-computed roots for one, two and three leaves', () => {
    const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const [a, b, c] = [leaf(0), leaf(1), leaf(2)];
    const la = h(Buffer.from([0]), a);
    const lb = h(Buffer.from([0]), b);
    const lc = h(Buffer.from([0]), c);
    expect(merkleRootOf([a])).toEqual(la);
    expect(merkleRootOf([a, b])).toEqual(h(Buffer.from([1]), la, lb));
    expect(merkleRootOf([a, b, c])).toEqual(h(Buffer.from([1]), h(Buffer.from([1]), la, lb), lc));
  });

  it('changes when a leaf is removed, changed or reordered', () => {
    const leaves = Array.from({ length: 9 }, (_, i) => leaf(i));
    const root = merkleRootOf(leaves).toString('hex');
    expect(merkleRootOf(leaves.slice(1)).toString('hex')).not.toBe(root);
    expect(merkleRootOf([...leaves.slice(0, 8), leaf(99)]).toString('hex')).not.toBe(root);
    expect(merkleRootOf([leaves[1], leaves[0], ...leaves.slice(2)]).toString('hex')).not.toBe(root);
  });

  it('encodes chain heads unambiguously (code, seq and link hash all count)', () => {
    const link = Buffer.alloc(32, 7);
    const base = chainHeadLeaf('001CB240000003B3C0221953', 3, link).toString('hex');
    expect(chainHeadLeaf('001CB240000003B3C0221953', 4, link).toString('hex')).not.toBe(base);
    expect(chainHeadLeaf('001CB240000003B3C0221954', 3, link).toString('hex')).not.toBe(base);
    expect(chainHeadLeaf('001CB240000003B3C0221953', 3, Buffer.alloc(32, 8)).toString('hex')).not.toBe(base);
  });
});
