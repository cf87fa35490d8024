import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Keyring } from '../../lib/crypto.js';
import type { Clock } from '../ports.js';
import type { SigningAlg, SigningKey, SigningKeyStore } from './ports.js';

export type { SigningAlg };

export interface PublicJwk extends JWK {
  kid: string;
}

/** The lifetimes of the tokens these keys sign: experience access tokens and ID tokens. */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
export const ID_TOKEN_TTL_SECONDS = 3600;
/** A demoted key stays published until the last token it can have signed has expired. */
const PUBLISHED_AFTER_ROTATION_MS = Math.max(ACCESS_TOKEN_TTL_SECONDS, ID_TOKEN_TTL_SECONDS) * 1000;

/** Every algorithm a tenant's OpenID Provider offers; ES256 also signs the experience API's access tokens. */
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256'];

interface Loaded {
  at: number;
  keys: SigningKey[];
}

// Another instance may rotate; re-read the published keys at least this often.
const CACHE_MS = 60_000;

const aad = (tenantId: string, kid: string) => `signing-key:${tenantId}:${kid}`;

/**
 * Signing keys per tenant and algorithm, made on first use (ES256 for the first token, RS256
 * when the tenant's OpenID Provider is first built), private halves encrypted at rest.
 * Rotation demotes each current key to `previous`, which stays published in the JWKS until
 * the tokens it signed have expired.
 */
export class SigningKeys {
  private readonly cache = new Map<string, Loaded>();
  private readonly privateKeys = new Map<string, CryptoKey>();

  constructor(
    private readonly store: SigningKeyStore,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  private async make(tenantId: string, alg: SigningAlg): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    });
    const kid = randomBytes(12).toString('base64url');
    const pub = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const priv = JSON.stringify(await exportJWK(privateKey));
    return {
      kid,
      tenantId,
      alg,
      status: 'current',
      publicJwk: pub,
      privateJwk: this.keyring.encrypt(priv, aad(tenantId, kid)),
      createdAt: this.clock.now().toISOString(),
      retireAt: null,
    };
  }

  /** The published keys of every algorithm; an ES256 key is made if there is none yet. */
  private async load(tenantId: string, fresh = false): Promise<SigningKey[]> {
    const hit = this.cache.get(tenantId);
    if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.keys;
    const now = () => this.clock.now().toISOString();
    let keys = await this.store.published(tenantId, now());
    if (!hasCurrent(keys, 'ES256')) {
      await this.store.insertFirst(await this.make(tenantId, 'ES256'));
      keys = await this.store.published(tenantId, now());
    }
    this.cache.set(tenantId, { at: Date.now(), keys });
    return keys;
  }

  /** The published keys, with a current key of each of `algs` (made now if missing). */
  private async ensure(tenantId: string, algs: readonly SigningAlg[]): Promise<SigningKey[]> {
    const keys = await this.load(tenantId);
    const missing = algs.filter((alg) => !hasCurrent(keys, alg));
    if (!missing.length) return keys;
    // Another instance may have made it a moment ago: insertFirst loses quietly then.
    for (const alg of missing) await this.store.insertFirst(await this.make(tenantId, alg));
    return this.load(tenantId, true);
  }

  /** The ES256 key to sign access tokens with now. */
  async current(tenantId: string): Promise<{ kid: string; key: CryptoKey }> {
    const k = (await this.load(tenantId)).find((x) => x.status === 'current' && x.alg === 'ES256');
    if (!k) throw new Error(`no current signing key for tenant ${tenantId}`);
    let key = this.privateKeys.get(k.kid);
    if (!key) {
      const jwk = JSON.parse(this.keyring.decrypt(k.privateJwk, aad(tenantId, k.kid))) as JWK;
      key = (await importJWK(jwk, 'ES256')) as CryptoKey;
      this.privateKeys.set(k.kid, key);
    }
    return { kid: k.kid, key };
  }

  /**
   * The private JWKs of the published keys of every algorithm in SIGNING_ALGS (a missing one is
   * made now), current first, with their kid, alg and use: what the OpenID Provider signs ID
   * tokens with. `version` changes whenever the set does.
   */
  async privateJwks(tenantId: string): Promise<{ version: string; keys: JWK[] }> {
    const keys = [...(await this.ensure(tenantId, SIGNING_ALGS))].sort((a, b) =>
      a.status === b.status ? 0 : a.status === 'current' ? -1 : 1,
    );
    return {
      version: keys.map((k) => k.kid).join(','),
      keys: keys.map((k) => ({
        ...(JSON.parse(this.keyring.decrypt(k.privateJwk, aad(tenantId, k.kid))) as JWK),
        kid: k.kid,
        alg: k.alg,
        use: 'sig',
      })),
    };
  }

  /** The kids of every published key, whatever its algorithm (the OpenID Provider is rebuilt when they change). */
  async kids(tenantId: string): Promise<string[]> {
    return (await this.load(tenantId)).map((k) => k.kid);
  }

  /** The published public ES256 keys (current and previous): the access tokens' JWKS. */
  async jwks(tenantId: string, opts: { fresh?: boolean } = {}): Promise<{ keys: PublicJwk[] }> {
    const keys = (await this.load(tenantId, opts.fresh)).filter((k) => k.alg === 'ES256');
    return { keys: keys.map((k) => k.publicJwk as unknown as PublicJwk) };
  }

  /** A public ES256 key by kid; an unknown kid triggers one fresh read (a rotation elsewhere). */
  async publicKey(tenantId: string, kid: string): Promise<PublicJwk | undefined> {
    const find = (keys: SigningKey[]) =>
      keys.find((k) => k.kid === kid && k.alg === 'ES256')?.publicJwk as unknown as PublicJwk | undefined;
    return find(await this.load(tenantId)) ?? find(await this.load(tenantId, true));
  }

  /**
   * A new current key for every algorithm the tenant has; the ones they replace stay
   * published until the tokens they signed have expired. `kid` is the new ES256 key.
   */
  async rotate(tenantId: string): Promise<{ kid: string; keys: Array<{ kid: string; alg: SigningAlg }> }> {
    const had = await this.load(tenantId, true);
    const now = this.clock.now();
    const retireAt = new Date(now.getTime() + PUBLISHED_AFTER_ROTATION_MS).toISOString();
    const out: Array<{ kid: string; alg: SigningAlg }> = [];
    for (const alg of SIGNING_ALGS.filter((a) => hasCurrent(had, a))) {
      const k = await this.make(tenantId, alg);
      await this.store.rotate(k, retireAt, now.toISOString());
      out.push({ kid: k.kid, alg });
    }
    await this.load(tenantId, true);
    return { kid: out.find((k) => k.alg === 'ES256')!.kid, keys: out };
  }
}

function hasCurrent(keys: SigningKey[], alg: SigningAlg): boolean {
  return keys.some((k) => k.status === 'current' && k.alg === alg);
}
