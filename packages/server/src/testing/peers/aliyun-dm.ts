/**
 * A local stand-in for Alibaba Cloud DirectMail's RPC API (SingleSendMail, 2015-11-23):
 * verifies signature version 1.0 with its own implementation, refuses reused nonces and
 * stale timestamps, checks sender addresses and recipients, and answers
 * `{RequestId, EnvId}` or `{RequestId, HostId, Code, Message}`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  isEmailAddress,
  parseForm,
  startHttpPeer,
  type PeerReply,
} from '../../connectors/_provider/http-peer.test-helpers.js';

export interface AliyunDmReceived {
  to: string;
  subject: string;
  accountName: string;
  fromAlias?: string;
  htmlBody?: string;
  textBody?: string;
  replyToAddress: string;
  replyAddress?: string;
  regionId?: string;
  envId: string;
}

export interface AliyunDmPeerOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Sender addresses created in the console. Default: any. */
  senders?: string[];
  /** How far the peer's clock is ahead of ours, to test stale timestamps (ms). */
  clockOffsetMs?: number;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const COMMON = [
  'Format',
  'Version',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'Signature',
  'Action',
];

// Written apart from the connector's signer on purpose, so the two check each other.
const enc = (s: string) =>
  encodeURIComponent(s)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
function expectedSignature(method: string, params: Map<string, string>, secret: string): string {
  const pairs = [...params.entries()].filter(([k]) => k !== 'Signature').map(([k, v]) => `${enc(k)}=${enc(v)}`);
  pairs.sort();
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&${enc('/')}&${enc(pairs.join('&'))}`)
    .digest('base64');
}

export async function startAliyunDmPeer(options: AliyunDmPeerOptions = {}) {
  const accessKeyId = options.accessKeyId ?? 'LTAIpeer0123456789';
  const accessKeySecret = options.accessKeySecret ?? 'peer-access-key-secret-0123456789';
  const received: AliyunDmReceived[] = [];
  const nonces = new Set<string>();
  /**
   * `rateLimited` answers as DirectMail's flow control does: HTTP 400 with `throttleCode`
   * (`Throttling.User` by default; also `Throttling.Api`, `Throttling`) and no Retry-After.
   */
  const state = { rateLimited: false, throttleCode: 'Throttling.User', outage: false, hang: false };
  const THROTTLE_MESSAGES: Record<string, string> = {
    'Throttling.User': 'Request was denied due to user flow control.',
    'Throttling.Api': 'Request was denied due to api flow control.',
    Throttling: 'Request was denied due to request throttling.',
  };
  const fail = (status: number, Code: string, Message: string): PeerReply => ({
    status,
    body: {
      RequestId: randomUUID().toUpperCase(),
      HostId: 'dm.aliyuncs.com',
      Code,
      Message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${Code}`,
    },
  });
  const http = await startHttpPeer(
    async (req) => {
      if (req.path !== '/')
        return fail(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      const params = new Map<string, string>();
      for (const [k, v] of req.query) params.set(k, v);
      if (req.method === 'POST')
        for (const [k, v] of await parseForm(req.body, req.headers['content-type']))
          if (v[0] !== undefined) params.set(k, v[0]);
      for (const name of COMMON)
        if (!params.get(name))
          return fail(
            400,
            'MissingParameter',
            `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
          );
      if (params.get('Version') !== '2015-11-23')
        return fail(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
      if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0')
        return fail(400, 'InvalidParameter', 'Specified signature method or version is not supported.');
      if (params.get('AccessKeyId') !== accessKeyId)
        return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
      const ts = params.get('Timestamp')!;
      const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(ts) ? Date.parse(ts) : NaN;
      if (Number.isNaN(at))
        return fail(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
      if (Math.abs(Date.now() + (options.clockOffsetMs ?? 0) - at) > FIFTEEN_MINUTES)
        return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
      const expected = Buffer.from(expectedSignature(req.method, params, accessKeySecret));
      const given = Buffer.from(params.get('Signature')!);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
      }
      const nonce = params.get('SignatureNonce')!;
      if (nonces.has(nonce)) return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
      nonces.add(nonce);
      if (params.get('Action') !== 'SingleSendMail')
        return fail(400, 'InvalidParameter', 'Specified Action is not supported by this peer.');
      if (state.rateLimited)
        return fail(
          400,
          state.throttleCode,
          THROTTLE_MESSAGES[state.throttleCode] ?? 'Request was denied due to flow control.',
        );
      if (state.outage)
        return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      for (const name of ['AccountName', 'AddressType', 'ReplyToAddress', 'ToAddress', 'Subject']) {
        if (!params.get(name))
          return fail(
            400,
            'MissingParameter',
            `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
          );
      }
      const accountName = params.get('AccountName')!;
      if (options.senders && !options.senders.includes(accountName))
        return fail(404, 'InvalidMailAddress.NotFound', 'The specified mail address is not found.');
      if (!['0', '1'].includes(params.get('AddressType')!))
        return fail(400, 'InvalidAddressType', 'The specified address type is invalid.');
      if (!['true', 'false'].includes(params.get('ReplyToAddress')!))
        return fail(400, 'InvalidReplyToAddress', 'The specified ReplyToAddress is invalid.');
      const to = params.get('ToAddress')!;
      if (!to.split(',').every((a) => isEmailAddress(a.trim())))
        return fail(400, 'InvalidToAddress', 'The specified toAddress is invalid.');
      if (!params.get('HtmlBody') && !params.get('TextBody'))
        return fail(
          400,
          'MissingParameter',
          'The input parameter "HtmlBody" or "TextBody" that is mandatory for processing this request is not supplied.',
        );
      const alias = params.get('FromAlias');
      if (alias !== undefined && [...alias].length > 15)
        return fail(400, 'InvalidFromAlias', 'The specified FromAlias is too long.');
      const envId = String(Date.now()) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
      const get = (k: string) => params.get(k);
      received.push({
        to,
        subject: get('Subject')!,
        accountName,
        envId,
        replyToAddress: get('ReplyToAddress')!,
        ...(alias === undefined ? {} : { fromAlias: alias }),
        ...(get('HtmlBody') === undefined ? {} : { htmlBody: get('HtmlBody')! }),
        ...(get('TextBody') === undefined ? {} : { textBody: get('TextBody')! }),
        ...(get('ReplyAddress') === undefined ? {} : { replyAddress: get('ReplyAddress')! }),
        ...(get('RegionId') === undefined ? {} : { regionId: get('RegionId')! }),
      });
      return { status: 200, body: { RequestId: randomUUID().toUpperCase(), EnvId: envId } };
    },
    { hang: () => state.hang },
  );
  return Object.assign(state, {
    url: http.url,
    nextRequest: http.nextRequest,
    accessKeyId,
    accessKeySecret,
    received,
    close: http.close,
  });
}
