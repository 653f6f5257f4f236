// Cache of validated CA chains, keyed by the issuer certificate's fingerprint and the version
// of the anchor set (changing the anchors makes every entry unreachable). A leaf finds its
// candidates through an index by issuer name; its authority key identifier narrows them.
import { ValidatedChain } from './chain';
import { LruMap } from '../../../common/collections/lru-map';
import { ParsedCertificate } from './parse';

export class ChainCache {
  private readonly entries: LruMap<string, ValidatedChain>;
  /** issuer name key + anchor set version → fingerprints of cached issuers with that name. */
  private readonly byIssuerName = new Map<string, Set<string>>();

  constructor(maxEntries = 500) {
    this.entries = new LruMap(maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  store(chain: ValidatedChain, anchorSetVersion: number): void {
    const issuer = chain.certs[0];
    this.entries.set(`${issuer.fingerprint}|${anchorSetVersion}`, chain);
    const nameKey = `${issuer.subjectName.key}|${anchorSetVersion}`;
    const fingerprints = this.byIssuerName.get(nameKey) ?? new Set<string>();
    fingerprints.add(issuer.fingerprint);
    this.byIssuerName.set(nameKey, fingerprints);
  }

  /** Cached chains whose issuer could have signed `leaf` and that are valid at `at`. */
  find(leaf: ParsedCertificate, anchorSetVersion: number, at: Date): ValidatedChain[] {
    const nameKey = `${leaf.issuerName.key}|${anchorSetVersion}`;
    const fingerprints = this.byIssuerName.get(nameKey);
    if (!fingerprints) return [];
    const found: ValidatedChain[] = [];
    for (const fingerprint of fingerprints) {
      const chain = this.entries.get(`${fingerprint}|${anchorSetVersion}`);
      if (!chain) {
        fingerprints.delete(fingerprint); // evicted from the LRU map
        continue;
      }
      const leafAki = leaf.extensions.authorityKeyId;
      const issuerSki = chain.certs[0].extensions.subjectKeyId;
      if (leafAki && issuerSki && leafAki !== issuerSki) continue;
      if (at.getTime() < chain.notBefore.getTime() || at.getTime() > chain.notAfter.getTime()) continue;
      found.push(chain);
    }
    if (fingerprints.size === 0) this.byIssuerName.delete(nameKey);
    return found;
  }

  clear(): void {
    this.entries.clear();
    this.byIssuerName.clear();
  }
}
