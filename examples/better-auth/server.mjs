// A better-auth app whose one-time codes are mailed by Postern. Two ways are wired up:
//   - better-auth's own emailOTP plugin, with the code delivered through Postern's templates
//     (POST /api/auth/email-otp/send-verification-otp, then /api/auth/sign-in/email-otp);
//   - the posternOTP plugin, where Postern issues and checks the code
//     (POST /api/auth/postern-otp/send, then /api/auth/sign-in/postern-otp).
import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { emailOTP } from 'better-auth/plugins';
import { toNodeHandler } from 'better-auth/node';
import { posternOTP, posternSendVerificationOTP } from '@postern/better-auth';

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`Set ${name} (see README.md).`);
    process.exit(1);
  }
  return v;
};

const postern = {
  url: need('POSTERN_URL'),
  apiKey: need('POSTERN_API_KEY'),
  tenant: process.env.POSTERN_TENANT || 'default',
};
const port = Number(process.env.PORT ?? 3000);

export const auth = betterAuth({
  baseURL: process.env.BETTER_AUTH_URL ?? `http://localhost:${port}`,
  secret: need('BETTER_AUTH_SECRET'),
  // In memory for the example; use better-auth's SQLite, PostgreSQL or Kysely adapters for real.
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  telemetry: { enabled: false },
  plugins: [
    emailOTP({ expiresIn: 300, sendVerificationOTP: posternSendVerificationOTP({ ...postern, expiresInMinutes: 5 }) }),
    posternOTP(postern),
  ],
});

const handler = toNodeHandler(auth);
const server = createServer((req, res) => {
  if (req.url?.startsWith('/api/auth/')) return handler(req, res);
  res.writeHead(404, { 'content-type': 'text/plain' }).end('Try POST /api/auth/email-otp/send-verification-otp\n');
});
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const a = server.address();
  console.log(`better-auth example listening on http://${a.address}:${a.port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
