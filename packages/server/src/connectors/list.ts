import type { ConnectorFactory } from '@postern/connector-kit';
import http from './http/index.js';
import smtp from './smtp/index.js';
import sendgrid from './sendgrid/index.js';
import mailgun from './mailgun/index.js';
import postmark from './postmark/index.js';
import awsSes from './aws-ses/index.js';
import aliyunDm from './aliyun-dm/index.js';
import resend from './resend/index.js';

/** The built-in factories besides `builtin` (which needs the server's options). */
export const BUILT_IN_FACTORIES: ConnectorFactory[] = [smtp, http, sendgrid, mailgun, postmark, awsSes, aliyunDm, resend];
