import type { MessageRenderer, RenderRequest, RenderedMessage } from './render.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal renderer used until the template engine is wired in. */
export class PlainRenderer implements MessageRenderer {
  async render(req: RenderRequest): Promise<RenderedMessage> {
    const code = typeof req.variables.code === 'string' ? req.variables.code : undefined;
    const link = typeof req.variables.link === 'string' ? req.variables.link : undefined;
    const lines = [code ? `Your verification code is ${code}.` : 'You have a message.', link ? `Open ${link}` : ''].filter(Boolean);
    return {
      locale: 'en',
      subject: code ? `Your verification code is ${code}` : 'A message for you',
      html: lines.map((l) => `<p>${esc(l)}</p>`).join(''),
      text: lines.join('\n'),
      variables: req.variables,
    };
  }
}
