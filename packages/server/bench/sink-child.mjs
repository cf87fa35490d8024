// The sinks in their own process, so that on a small machine the load generator and the
// receivers do not share one event loop (which would cap the raw limits at half a core).
// (The bare SMTP submission sink of the relay stage lives here too.) It reports its addresses, then every code it receives, to the parent over IPC.
import { startHttpSink, startSmtpSink, startSubmissionSink } from './sinks.mjs';

const http = await startHttpSink({ onCode: (to, code) => process.send({ type: 'code', to, code }) });
const smtp = await startSmtpSink();
const submission = await startSubmissionSink();
process.send({
  type: 'ready',
  httpUrl: http.url,
  smtpHost: smtp.host,
  smtpPort: smtp.port,
  submissionHost: submission.host,
  submissionPort: submission.port,
  submissionCa: submission.ca,
});
process.on('message', (m) => {
  if (m?.type === 'sample') process.send({ type: 'sample', sample: (m.latest ? http.latest : http.sample) ?? null });
  if (m?.type === 'close') void Promise.all([http.close(), smtp.close(), submission.close()]).then(() => process.exit(0));
});
