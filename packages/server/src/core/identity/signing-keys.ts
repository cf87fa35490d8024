import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Keyring } from '../../lib/crypto.js';
import type { Clock } from '../ports.js';
import type { SigningKey, SigningKeyStore } from './ports.js';

export interface PublicJwk extends JWK {
  kid: string;
}

interface Loaded {
  at: number;
  keys: SigningKey[];
}

// Another instance may rotate; re-read the published keys at least this often.
const CACHE_MS = 60_000;

/**
 * ES256 signing keys per tenant, made on first use, private halves encrypted at rest.
 * Rotation demotes the current key to `previous`, which stays published in the JWKS so
 * that tokens signed a moment ago still verify.
 */
export class SigningKeys {
  private readonly cache = new Map<string, Loaded>();
  private readonly privateKeys = new Map<string, CryptoKey>();

  constructor(
    private readonly store: SigningKeyStore,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  private async make(tenantId: string): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const pub = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const priv = JSON.stringify(await exportJWK(privateKey));
    return { kid, tenantId, status: 'current', publicJwk: pub, privateJwk: this.keyring.encrypt(priv, `signing-key:${tenantId}:${kid}`), createdAt: this.clock.now().toISOString() };
  }

  private async load(tenantId: string, fresh = false): Promise<SigningKey[]> {
    const hit = this.cache.get(tenantId);
    if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.keys;
    let keys = await this.store.published(tenantId);
    if (!keys.some((k) => k.status === 'current')) {
      await this.store.insertFirst(await this.make(tenantId));
      keys = await this.store.published(tenantId);
    }
    this.cache.set(tenantId, { at: Date.now(), keys });
    return keys;
  }

  /** The key to sign with now. */
  async current(tenantId: string): Promise<{ kid: string; key: CryptoKey }> {
    const k = (await this.load(tenantId)).find((x) => x.status === 'current');
    if (!k) throw new Error(`no current signing key for tenant ${tenantId}`);
    let key = this.privateKeys.get(k.kid);
    if (!key) {
      const jwk = JSON.parse(this.keyring.decrypt(k.privateJwk, `signing-key:${tenantId}:${k.kid}`)) as JWK;
      key = (await importJWK(jwk, 'ES256')) as CryptoKey;
      this.privateKeys.set(k.kid, key);
    }
    return { kid: k.kid, key };
  }

  /**
   * The private JWKs of the published keys, current first, with their kid, alg and use: what
   * the OpenID Provider signs ID tokens with. `version` changes whenever the set does.
   */
  async privateJwks(tenantId: string): Promise<{ version: string; keys: JWK[] }> {
    const keys = [...(await this.load(tenantId))].sort((a, b) => (a.status === 'current' ? -1 : b.status === 'current' ? 1 : 0));
    return {
      version: keys.map((k) => k.kid).join(','),
      keys: keys.map((k) => ({ ...(JSON.parse(this.keyring.decrypt(k.privateJwk, `signing-key:${tenantId}:${k.kid}`)) as JWK), kid: k.kid, alg: 'ES256', use: 'sig' })),
    };
  }

  /** The published public keys (current and previous), as a JWKS. */
  async jwks(tenantId: string, opts: { fresh?: boolean } = {}): Promise<{ keys: PublicJwk[] }> {
    const keys = await this.load(tenantId, opts.fresh);
    return { keys: keys.map((k) => k.publicJwk as unknown as PublicJwk) };
  }

  /** A public key by kid; an unknown kid triggers one fresh read (a rotation elsewhere). */
  async publicKey(tenantId: string, kid: string): Promise<PublicJwk | undefined> {
    const find = (keys: SigningKey[]) => keys.find((k) => k.kid === kid)?.publicJwk as unknown as PublicJwk | undefined;
    return find(await this.load(tenantId)) ?? find(await this.load(tenantId, true));
  }

  async rotate(tenantId: string): Promise<{ kid: string }> {
    await this.load(tenantId);
    const k = await this.make(tenantId);
    await this.store.rotate(k);
    await this.load(tenantId, true);
    return { kid: k.kid };
  }
}
