import type { ReactNode } from 'react';
import { ApiError } from '../api.js';

/**
 * An API error as a banner: the API's sentence only (each field's issue is shown beside
 * its field, not repeated here), and `details.providerMessage` when a provider answered.
 * The code stays out of sight, in `data-code`, for support and tests.
 */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'client.error', error instanceof Error ? error.message : String(error));
  const provider = typeof e.details.providerMessage === 'string' ? e.details.providerMessage : undefined;
  return (
    <div className="notice error" role="alert" data-code={e.code}>
      {title ? <strong>{title}</strong> : null}
      <p>
        {e.message}
      </p>
      {provider ? (
        <p className="provider-message">
          Provider said: <q>{provider}</q>
        </p>
      ) : null}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning'; children: ReactNode }) {
  return (
    <div className={`notice ${kind}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
