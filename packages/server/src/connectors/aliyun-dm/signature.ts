/**
 * Alibaba Cloud RPC request signing, signature version 1.0 (HMAC-SHA1), as DirectMail's
 * 2015-11-23 API expects it.
 */
import { createHmac } from 'node:crypto';

/** RFC 3986 encoding as Alibaba Cloud specifies it: encodeURIComponent plus `!'()*`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Every parameter except `Signature`, keys sorted, each key and value encoded, joined `k=v&…`. */
export function canonicalizedQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function stringToSign(method: string, params: Readonly<Record<string, string>>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalizedQuery(params))}`;
}

/** `base64(HMAC-SHA1(secret + "&", stringToSign))`. */
export function signRpcV1(method: string, params: Readonly<Record<string, string>>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params)).digest('base64');
}

/** `YYYY-MM-DDThh:mm:ssZ` in UTC, the timestamp form the API accepts. */
export function rpcTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
