import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import { createBuiltinFactory } from './index.js';
import { startSmtpPeer, type SmtpPeer } from '../../testing/peers/smtp.js';
import { expectFailure, signal } from '../_provider/expect.test-helpers.js';

const FROM = 'no-reply@auth.example.test';
const PASSWORD = 'relay-password-0123456789';

/** The built-in service relaying through POSTERN_BUILTIN_RELAY reads SMTP answers as the SMTP connector does. */
describe('builtin relay errors', () => {
  let open: SmtpPeer;
  let strict: SmtpPeer;
  let filtering: SmtpPeer;
  beforeAll(async () => {
    open = await startSmtpPeer({
      rejectRecipients: ['gone@example.test'],
      rejectSenders: [FROM.replace('no-reply', 'blocked')],
    });
    strict = await startSmtpPeer({ requireAuth: true, insecureAuth: true, users: { relay: PASSWORD } });
    filtering = await startSmtpPeer({ rejectMessages: true });
  });
  afterAll(async () => {
    await Promise.all([open?.close(), strict?.close(), filtering?.close()]);
  });

  const send = (relayUrl: string, to = 'user@example.test', fromAddress = FROM) => {
    const factory = createBuiltinFactory({ relayUrl, fromAddress });
    const connector = factory.create({}, createTestContext());
    return connector.send({ ...sampleMessage(), to }, { signal: signal() }).finally(() => connector.close?.());
  };

  it('relays a message', async () => {
    const r = await send(`smtp://127.0.0.1:${open.port}`, 'ok@example.test');
    expect(r.providerMessageId).toEqual(expect.any(String));
    expect(open.messages.at(-1)?.to).toEqual(['ok@example.test']);
  });

  it('maps a 550 at RCPT TO, and only that, to connector.rejected_recipient', async () => {
    const err = await expectFailure(
      send(`smtp://127.0.0.1:${open.port}`, 'gone@example.test'),
      'connector.rejected_recipient',
    );
    expect(err.details.providerStatus).toBe(550);
    expect(err.message).toMatch(/built-in relay/);
  });

  it('maps a 550 at MAIL FROM to connector.delivery_failed, not a rejected recipient', async () => {
    const err = await expectFailure(
      send(`smtp://127.0.0.1:${open.port}`, 'user@example.test', FROM.replace('no-reply', 'blocked')),
      'connector.delivery_failed',
    );
    expect(err.details.providerStatus).toBe(550);
  });

  it('maps a 554 after DATA to connector.delivery_failed', async () => {
    const err = await expectFailure(send(`smtp://127.0.0.1:${filtering.port}`), 'connector.delivery_failed');
    expect(err.details.providerStatus).toBe(554);
  });

  it('maps a 535 at AUTH to connector.auth_failed without showing the password', async () => {
    const wrong = 'wrong-relay-password-987654';
    const err = await expectFailure(send(`smtp://relay:${wrong}@127.0.0.1:${strict.port}`), 'connector.auth_failed', [
      wrong,
    ]);
    expect(err.details.providerStatus).toBe(535);
    const ok = await send(`smtp://relay:${PASSWORD}@127.0.0.1:${strict.port}`, 'authed@example.test');
    expect(ok.providerMessageId).toEqual(expect.any(String));
  });
});
