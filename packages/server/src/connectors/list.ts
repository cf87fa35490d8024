import type { ConnectorFactory } from '@postern/connector-kit';

/** The built-in factories besides `builtin` (which needs the server's options). */
export const BUILT_IN_FACTORIES: ConnectorFactory[] = [];
