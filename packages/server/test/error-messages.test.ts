import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageForPeople } from '../src/http/errors.js';
import { startPostern, type TestPostern } from './helpers.js';

/**
 * SPEC 2 (issue 20): `message` is a sentence for people. Schema paths and a validator's
 * words belong to `details.issues[]` only, whichever layer refused the request.
 */
const VALIDATOR = /body\.|config\.|Invalid input|expected \w+, received|Too (small|big)|\(root\)/;

describe('error messages are sentences for people', () => {
  let p: TestPostern;
  beforeAll(async () => {
    p = await startPostern('sqlite');
  });
  afterAll(async () => {
    await p?.close();
  });

  it('a request refused by the route schema names no path in its message', async () => {
    const r = await p.api('POST', '/api/admin-keys', { name: '' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('request.invalid');
    expect(r.body.message).not.toMatch(VALIDATOR);
    expect(r.body.message).toMatch(/^The request is not valid: one value needs correcting\.$/);
    expect(r.body.details.issues).toEqual([expect.objectContaining({ path: 'body.name' })]);
  });

  it('a connector configuration refused by its factory keeps its issues in details only', async () => {
    const r = await p.api('POST', '/api/connectors/test', {
      factoryId: 'smtp',
      config: { port: 587 },
      to: 'a@example.com',
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('connector.bad_config');
    expect(r.body.message).not.toMatch(VALIDATOR);
    expect(r.body.message).toMatch(/configuration is invalid: \d+ values? needs? correcting\.$/);
    expect(r.body.details.issues.map((i: { path: string }) => i.path)).toContain('config.host');
  });

  it('leaves a sentence alone, and rewrites each dump format', () => {
    expect(
      messageForPeople('Enter the authorization secret again.', [{ path: 'authorization', message: 'required' }]),
    ).toBe('Enter the authorization secret again.');
    expect(messageForPeople('Invalid bundle: (root): Invalid input', [{ path: '', message: 'Invalid input' }])).toBe(
      'The bundle is not valid: one value needs correcting.',
    );
    expect(
      messageForPeople('Invalid request: body.a: x; body.b: y', [
        { path: 'body.a', message: 'x' },
        { path: 'body.b', message: 'y' },
      ]),
    ).toBe('The request is not valid: 2 values need correcting.');
    expect(messageForPeople('No route.', undefined)).toBe('No route.');
  });
});
