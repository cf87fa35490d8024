import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { canonicalizedQuery, percentEncode, rpcTimestamp, signRpcV1, stringToSign } from './signature.js';

const params = {
  Version: '2015-11-23',
  Action: 'SingleSendMail',
  AccessKeyId: 'testid',
  Format: 'JSON',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  SignatureNonce: 'nonce-1',
  Timestamp: '2024-01-02T03:04:05Z',
  Subject: "Hi there! (1)*'~",
  Signature: 'ignored',
};

describe('aliyun RPC signature v1', () => {
  it('encodes the way Alibaba Cloud specifies', () => {
    expect(percentEncode("a b!'()*~-_.")).toBe('a%20b%21%27%28%29%2A~-_.');
    expect(percentEncode('中')).toBe('%E4%B8%AD');
  });

  it('matches a string to sign written out by hand', () => {
    const canonical =
      'AccessKeyId=testid&Action=SingleSendMail&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce=nonce-1&SignatureVersion=1.0&Subject=Hi%20there%21%20%281%29%2A%27~&Timestamp=2024-01-02T03%3A04%3A05Z&Version=2015-11-23';
    const handStringToSign =
      'POST&%2F&AccessKeyId%3Dtestid%26Action%3DSingleSendMail%26Format%3DJSON%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dnonce-1%26SignatureVersion%3D1.0%26Subject%3DHi%2520there%2521%2520%25281%2529%252A%2527~%26Timestamp%3D2024-01-02T03%253A04%253A05Z%26Version%3D2015-11-23';
    expect(canonicalizedQuery(params)).toBe(canonical);
    expect(stringToSign('POST', params)).toBe(handStringToSign);
    expect(signRpcV1('POST', params, 'testsecret')).toBe(
      createHmac('sha1', 'testsecret&').update(handStringToSign).digest('base64'),
    );
  });

  it("reproduces Alibaba Cloud's published example signature", () => {
    const example = {
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    expect(signRpcV1('GET', example, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('formats timestamps without milliseconds', () => {
    expect(rpcTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toBe('2024-01-02T03:04:05Z');
  });
});
