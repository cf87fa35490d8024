// The sinks in their own process, so that on a small machine the load generator and the
// receivers do not share one event loop (which would cap the raw limits at half a core).
// It reports its addresses, then every code it receives, to the parent over IPC.
import { startHttpSink, startSmtpSink } from './sinks.mjs';

const http = await startHttpSink({ onCode: (to, code) => process.send({ type: 'code', to, code }) });
const smtp = await startSmtpSink();
process.send({ type: 'ready', httpUrl: http.url, smtpHost: smtp.host, smtpPort: smtp.port });
process.on('message', (m) => {
  if (m?.type === 'sample') process.send({ type: 'sample', sample: http.sample ?? null });
  if (m?.type === 'close') void Promise.all([http.close(), smtp.close()]).then(() => process.exit(0));
});
