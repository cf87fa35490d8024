import type { ConnectorFactory } from '@postern/connector-kit';
import http from './http/index.js';
import smtp from './smtp/index.js';

/** The built-in factories besides `builtin` (which needs the server's options). */
export const BUILT_IN_FACTORIES: ConnectorFactory[] = [smtp, http];
