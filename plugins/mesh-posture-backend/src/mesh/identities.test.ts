import { identityMatches } from './identities';

describe('identityMatches', () => {
  it('matches exact identities across the spiffe:// spelling', () => {
    expect(
      identityMatches(
        'cluster.local/ns/a/sa/b',
        'spiffe://cluster.local/ns/a/sa/b',
      ),
    ).toBe(true);
    expect(
      identityMatches('cluster.local/ns/a/sa/b', 'cluster.local/ns/a/sa/c'),
    ).toBe(false);
  });

  it('expands wildcards without treating dots as patterns', () => {
    const linkerd = '*.payments.serviceaccount.identity.linkerd.cluster.local';
    expect(
      identityMatches(
        linkerd,
        'ledger.payments.serviceaccount.identity.linkerd.cluster.local',
      ),
    ).toBe(true);
    expect(
      identityMatches(
        linkerd,
        'ledger.paymentsXserviceaccount.identity.linkerd.cluster.local',
      ),
    ).toBe(false);
    expect(
      identityMatches(
        '*/ns/cards/sa/*',
        'spiffe://cluster.local/ns/cards/sa/vault',
      ),
    ).toBe(true);
    expect(identityMatches('*', 'anything')).toBe(true);
  });
});
