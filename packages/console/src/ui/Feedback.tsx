import type { ReactNode } from 'react';
import { ApiError } from '../api.js';

/** An API error as a message: its text and code; `details.providerMessage` when present. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'client.error', error instanceof Error ? error.message : String(error));
  const provider = typeof e.details.providerMessage === 'string' ? e.details.providerMessage : undefined;
  return (
    <div className="notice error" role="alert">
      {title ? <strong>{title}</strong> : null}
      <p>
        {e.message} <code className="code">{e.code}</code>
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
