/** The events of account changes, for the event webhooks (SPEC §16, §19). */
export type AccountEventType = 'user.password_changed' | 'user.email_changed';

export interface AccountEvent {
  type: AccountEventType;
  tenantId: string;
  userId: string;
  at: string;
  data: Record<string, unknown>;
}

/**
 * HOOK POINT for event webhooks: Postern has no outgoing event webhooks yet. When they
 * exist, `main.ts` passes their publisher as `IdentityWiring.accountEvents` and every
 * password and email change is published through it; until then nothing listens.
 */
export interface AccountEventSink {
  emit(event: AccountEvent): Promise<void> | void;
}
