export * from './types.js';
export * from './errors.js';
export * from './schema.js';
export * from './sender.js';
export { z } from 'zod';
export * from './text.js';
export {
  ProviderResponseError,
  createHttpClient,
  transportError,
  providerFailure,
  joinUrl,
  stringField,
  numberField,
  type ProviderResponse,
  type HttpClient,
  type HttpClientOptions,
  type FailureOptions,
  type RequestInit as ProviderRequestInit,
} from './http.js';
export * from './assets.js';
export * from './events.js';
