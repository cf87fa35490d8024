import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../ports.js';
import type { Circuits } from './circuit.js';

const STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Gauges read when /metrics is scraped (SPEC §15): each connector's circuit on this instance,
 * and the outbox's depth and the age of its oldest waiting row (shared by all instances).
 */
export function registerDeliveryGauges(
  registry: Registry,
  circuits: Circuits,
  outbox: { depth(): Promise<{ queued: number; sending: number; oldest: string | null }> },
  clock: Clock,
): void {
  new Gauge({
    name: 'postern_connector_circuit_state',
    help: 'Circuit of each connector on this instance: 0 closed, 1 half-open, 2 open.',
    labelNames: ['tenant', 'role', 'factory'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of circuits.list())
        this.set({ tenant: c.tenantId, role: c.role, factory: c.factoryId }, STATE_VALUE[c.state]);
    },
  });
  new Gauge({
    name: 'postern_connector_sent_5m',
    help: 'Messages each connector delivered in the last five minutes on this instance.',
    labelNames: ['tenant', 'role', 'factory', 'outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of circuits.list()) {
        const s = c.stats();
        this.set({ tenant: c.tenantId, role: c.role, factory: c.factoryId, outcome: 'sent' }, s.sent5m);
        this.set({ tenant: c.tenantId, role: c.role, factory: c.factoryId, outcome: 'failed' }, s.failed5m);
      }
    },
  });
  let last: { at: number; value: Awaited<ReturnType<typeof outbox.depth>> } | undefined;
  // One query per scrape at most every 5 s, so many scrapers cannot load the database.
  const depth = async () => {
    const now = clock.now().getTime();
    if (!last || now - last.at > 5_000) last = { at: now, value: await outbox.depth() };
    return last.value;
  };
  new Gauge({
    name: 'postern_outbox_depth',
    help: 'Outbox messages waiting, by state (queued, sending), over all tenants.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const d = await depth();
      this.set({ state: 'queued' }, d.queued);
      this.set({ state: 'sending' }, d.sending);
    },
  });
  new Gauge({
    name: 'postern_outbox_oldest_age_seconds',
    help: 'Age of the oldest waiting outbox message (0 when none waits).',
    registers: [registry],
    async collect() {
      const d = await depth();
      this.set(d.oldest ? Math.max(0, (clock.now().getTime() - Date.parse(d.oldest)) / 1000) : 0);
    },
  });
}
