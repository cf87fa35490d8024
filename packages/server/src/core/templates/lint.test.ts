import { describe, it, expect } from 'vitest';
import { lintTemplate, TemplateRenderer } from './index.js';

const codes = (w: Array<{ code: string }>): string[] => w.map((x) => x.code).sort();

describe('lintTemplate', () => {
  it('warns when a code-bearing type never shows the code', () => {
    const w = lintTemplate('SignIn', { subject: 'Code {{code}}', html: '<p>Welcome</p>', text: 'Your code: {{code}}' });
    expect(w).toEqual([expect.objectContaining({ code: 'missing_code', field: 'html' })]);
    expect(codes(lintTemplate('MfaVerification', { subject: 's', html: '<p>{{code}}</p>', text: 'no code here' }))).toEqual(['missing_code']);
  });

  it('counts a code shown through @root or inside an if', () => {
    expect(lintTemplate('Generic', { subject: 's', html: '{{#if user.name}}{{@root.code}}{{/if}}{{#if code}}{{code}}{{/if}}' })).toEqual([]);
  });

  it('warns when an invitation has no link, and does not ask it for a code', () => {
    expect(codes(lintTemplate('OrganizationInvitation', { subject: 'Join {{organization.name}}', html: '<p>You are invited</p>' }))).toEqual(['missing_link']);
    expect(lintTemplate('OrganizationInvitation', { subject: 's', html: '<a href="{{link}}">Join</a>' })).toEqual([]);
  });

  it('asks an account-security notice for neither a code nor a link, and knows its activity variables', () => {
    for (const type of ['PasswordChanged', 'EmailChanged', 'MfaChanged', 'NewSignIn', 'UnknownRecipient'] as const) {
      expect(lintTemplate(type, { subject: 'Changed', html: '<p>{{activity.time}} {{activity.ip}} {{activity.device}} {{activity.newEmail}}</p>', text: '{{activity.userAgent}}' })).toEqual([]);
    }
    expect(codes(lintTemplate('NewSignIn', { subject: 's', html: '{{activity.place}}' }))).toEqual(['unknown_variable']);
  });

  it('warns about unknown variables once each, with their position', () => {
    const w = lintTemplate('SignIn', { subject: 'Hi {{user.nmae}}', html: '{{code}} {{user.nmae}}\n{{userName}} {{userName}} {{branding.color}} {{application.name}}' });
    expect(w.map((x) => x.message)).toEqual([
      expect.stringContaining('{{user.nmae}} (line 1, column 6)'),
      expect.stringContaining('{{user.nmae}} (line 1, column 12)'),
      expect.stringContaining('{{userName}} (line 2, column 3)'),
      expect.stringContaining('{{branding.color}}'),
    ]);
    expect(new Set(codes(w))).toEqual(new Set(['unknown_variable']));
  });

  it('does not guess at names inside each/with blocks', () => {
    expect(lintTemplate('SignIn', { subject: 's', html: '{{code}}{{#with user}}{{name}}{{/with}}{{#each branding}}{{this}}{{/each}}' })).toEqual([]);
  });

  it('warns about non-https images and links, allowing mailto and anchors', () => {
    const html = '{{code}}<img src="http://cdn.x.test/logo.png"><a href="http://x.test/help">help</a><a href="mailto:a@x.test">mail</a><a href="#top">top</a><img src="https://ok.test/a.png"><img srcset="https://ok.test/a.png 1x, http://x.test/b.png 2x">';
    const w = lintTemplate('SignIn', { subject: 's', html });
    expect(codes(w)).toEqual(['insecure_url', 'insecure_url', 'insecure_url']);
    const more = lintTemplate('SignIn', { subject: 's', html: '{{code}}<table background="http://x.test/bg.png"><tr><td><img src="https://ok.test/a.png" srcset="http://x.test/c.png 2x"></td></tr></table><a href="http://{{application.name}}.test">x</a>' });
    expect(more.map((x) => x.message)).toEqual([
      expect.stringContaining('http://x.test/bg.png'),
      expect.stringContaining('http://x.test/c.png'),
      expect.stringContaining('http://{{application.name}}.test'),
    ]);
    expect(w.map((x) => x.message).join(' ')).toContain('http://cdn.x.test/logo.png');
  });

  it('checks URLs that come from variables in the rendered message, naming only the host', () => {
    const content = { subject: 's', html: '<a href="{{link}}">Join</a>' };
    const rendered = new TemplateRenderer().render(content, { link: 'http://localhost:3000/invitation/secret-token' });
    const w = lintTemplate('OrganizationInvitation', content, rendered);
    expect(codes(w)).toEqual(['insecure_url']);
    expect(w[0]!.message).toContain('http://localhost:3000');
    expect(w[0]!.message).not.toContain('secret-token');
  });

  it('warns when the rendered message is over 100 KB', () => {
    const content = { subject: 's', html: `<p>{{code}}</p><p>${'x'.repeat(101 * 1024)}</p>`, text: '{{code}}' };
    const rendered = new TemplateRenderer().render(content, { code: '1' });
    expect(codes(lintTemplate('SignIn', content, rendered))).toEqual(['too_large']);
    expect(lintTemplate('SignIn', { ...content, html: '<p>{{code}}</p>' }, { subject: 's', html: '<p>1</p>', text: '1' })).toEqual([]);
  });

  it('leaves templates that do not compile to validation', () => {
    expect(lintTemplate('SignIn', { subject: 's', html: '{{code' })).toEqual([]);
  });
});
