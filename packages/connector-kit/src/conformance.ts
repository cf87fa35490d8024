/**
 * The conformance suite every connector runs against its local peer, ours and users'
 * alike. It is runner-agnostic: each check is a named async function that throws on
 * failure, so it plugs into vitest, node:test or mocha:
 *
 *   for (const check of conformanceChecks(options)) it(check.name, check.run);
 */
import { lookup as dnsLookup } from 'node:dns';
import { randomUUID } from 'node:crypto';
import { isConnectorError, type ConnectorErrorCode } from './errors.js';
import { configJsonSchema, secretPaths, secretValues } from './schema.js';
import { CONNECTOR_ID, type ConnectorContext, type ConnectorFactory, type EmailMessage, type LookupFunction } from './types.js';

export interface ReceivedMessage {
  to: string;
  subject: string;
}

export interface ConformanceOptions<C> {
  factory: ConnectorFactory<C>;
  /** A config that points at the running local peer and sends successfully. */
  validConfig: () => C | Promise<C>;
  /** Values the config schema must refuse. */
  invalidConfigs?: unknown[];
  /** What the peer has received so far (newest last). */
  received: () => Promise<ReceivedMessage[]> | ReceivedMessage[];
  /** A config with wrong credentials; the send must fail with `connector.auth_failed`. */
  badCredentialsConfig?: () => C | Promise<C>;
  /** An address the peer refuses; the send must fail with this code (default `connector.rejected_recipient`). */
  rejectedRecipient?: { to: string; code?: ConnectorErrorCode };
  /** The context given to `create`; defaults to {@link createTestContext}. */
  context?: () => ConnectorContext;
}

export interface ConformanceCheck {
  name: string;
  run: () => Promise<void>;
}

/** A context without the destination policy, for tests against loopback peers. */
export function createTestContext(overrides: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    tenantId: 'default',
    fetch: globalThis.fetch.bind(globalThis),
    lookup: dnsLookup as unknown as LookupFunction,
    assertDestination: async () => undefined,
    publicUrl: 'http://localhost:3000',
    ...overrides,
  };
}

export function sampleMessage(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    id: randomUUID(),
    tenantId: 'default',
    from: {},
    to: 'alice@example.test',
    subject: 'Your sign-in code',
    html: '<p>Your code is <strong>123456</strong>.</p>',
    text: 'Your code is 123456.',
    headers: {},
    templateType: 'SignIn',
    locale: 'en',
    variables: { code: '123456', expiresInMinutes: 10, locale: 'en' },
    ...overrides,
  };
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`conformance: ${message}`);
}

async function expectConnectorError(p: Promise<unknown>, code: ConnectorErrorCode, secrets: string[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert(isConnectorError(err), `expected a ConnectorError, got ${String(err)}`);
    assert(err.code === code, `expected ${code}, got ${err.code}: ${err.message}`);
    const shown = JSON.stringify({ message: err.message, details: err.details });
    for (const s of secrets) assert(!shown.includes(s), `the error shows a secret value`);
    return;
  }
  throw new Error(`conformance: expected ${code}, but the send succeeded`);
}

export function conformanceChecks<C>(opts: ConformanceOptions<C>): ConformanceCheck[] {
  const { factory } = opts;
  const ctx = () => (opts.context ?? createTestContext)();
  const timeout = () => AbortSignal.timeout(10_000);
  const checks: ConformanceCheck[] = [
    {
      name: `${factory.id}: describes itself`,
      run: async () => {
        assert(CONNECTOR_ID.test(factory.id), 'id is a lower-case slug');
        assert(factory.name.trim().length > 0, 'has a name');
        assert(factory.description.trim().length > 0, 'has a description');
        assert(/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(factory.logo), 'logo is an SVG document');
        assert(factory.readme.trim().startsWith('#'), 'readme is Markdown with a heading');
        for (const k of ['customTemplates', 'providerTemplates', 'customSender'] as const) {
          assert(typeof factory.capabilities[k] === 'boolean', `capabilities.${k} is a boolean`);
        }
        const schema = configJsonSchema(factory.configSchema);
        assert(schema.type === 'object', 'config schema is an object schema');
      },
    },
    {
      name: `${factory.id}: config schema accepts the valid config and refuses invalid ones`,
      run: async () => {
        const valid = await opts.validConfig();
        const parsed = factory.configSchema.safeParse(valid);
        assert(parsed.success, `valid config refused: ${parsed.success ? '' : parsed.error.message}`);
        assert(!factory.configSchema.safeParse({ ...(valid as object), notAField: 1 }).success, 'unknown fields are refused');
        for (const bad of opts.invalidConfigs ?? []) {
          assert(!factory.configSchema.safeParse(bad).success, `invalid config accepted: ${JSON.stringify(bad)}`);
        }
      },
    },
    {
      name: `${factory.id}: sends a message the peer receives`,
      run: async () => {
        const config = factory.configSchema.parse(await opts.validConfig());
        const connector = factory.create(config, ctx());
        try {
          const to = `conformance-${randomUUID().slice(0, 8)}@example.test`;
          const subject = `Conformance ${randomUUID()}`;
          const result = await connector.send(sampleMessage({ to, subject }), { signal: timeout() });
          assert(result && (result.providerMessageId === null || typeof result.providerMessageId === 'string'), 'send resolves with providerMessageId');
          const got = await opts.received();
          assert(got.some((m) => m.to.includes(to) && m.subject === subject), 'the peer received the message');
        } finally {
          await connector.close?.();
        }
      },
    },
    {
      name: `${factory.id}: an aborted send stops with connector.timeout`,
      run: async () => {
        const config = factory.configSchema.parse(await opts.validConfig());
        const connector = factory.create(config, ctx());
        try {
          const ac = new AbortController();
          ac.abort(new DOMException('timed out', 'TimeoutError'));
          await expectConnectorError(connector.send(sampleMessage(), { signal: ac.signal }), 'connector.timeout', []);
        } finally {
          await connector.close?.();
        }
      },
    },
    {
      name: `${factory.id}: close() can be called twice`,
      run: async () => {
        const config = factory.configSchema.parse(await opts.validConfig());
        const connector = factory.create(config, ctx());
        await connector.close?.();
        await connector.close?.();
      },
    },
  ];
  if (opts.badCredentialsConfig) {
    const bad = opts.badCredentialsConfig;
    checks.push({
      name: `${factory.id}: wrong credentials fail with connector.auth_failed and show no secret`,
      run: async () => {
        const config = factory.configSchema.parse(await bad());
        const connector = factory.create(config, ctx());
        try {
          const secrets = secretValues(config, secretPaths(factory.configSchema));
          await expectConnectorError(connector.send(sampleMessage(), { signal: timeout() }), 'connector.auth_failed', secrets);
        } finally {
          await connector.close?.();
        }
      },
    });
  }
  if (opts.rejectedRecipient) {
    const rr = opts.rejectedRecipient;
    checks.push({
      name: `${factory.id}: a refused recipient fails with ${rr.code ?? 'connector.rejected_recipient'}`,
      run: async () => {
        const config = factory.configSchema.parse(await opts.validConfig());
        const connector = factory.create(config, ctx());
        try {
          const secrets = secretValues(config, secretPaths(factory.configSchema));
          await expectConnectorError(connector.send(sampleMessage({ to: rr.to }), { signal: timeout() }), rr.code ?? 'connector.rejected_recipient', secrets);
        } finally {
          await connector.close?.();
        }
      },
    });
  }
  return checks;
}
