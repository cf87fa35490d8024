/** The outcome of one of the three checks, as the API returns it. */
export interface CheckResult {
  status: 'pass' | 'warn' | 'fail' | 'missing';
  /** The record that was checked, as published (several joined by newlines when there are more than one). */
  record: string | null;
  /** Plain-words findings, each saying how to fix it; notes that do not lower the status are prefixed "Note:". */
  issues: string[];
}

type Severity = 'fail' | 'warn' | 'note';

/** Collects findings and derives the status from the worst of them. */
export class Findings {
  private readonly items: { severity: Severity; text: string }[] = [];

  fail(text: string): void {
    this.items.push({ severity: 'fail', text });
  }
  warn(text: string): void {
    this.items.push({ severity: 'warn', text });
  }
  note(text: string): void {
    this.items.push({ severity: 'note', text: `Note: ${text}` });
  }
  has(severity: Severity): boolean {
    return this.items.some((i) => i.severity === severity);
  }

  result(record: string | null, status?: CheckResult['status']): CheckResult {
    const derived = this.has('fail') ? 'fail' : this.has('warn') ? 'warn' : 'pass';
    return { status: status ?? derived, record, issues: this.items.map((i) => i.text) };
  }
}

export function dnsErrorText(name: string, code: string): string {
  return `The DNS lookup of ${name} failed (${code}), so this could not be checked; make sure the domain's name servers answer and try again.`;
}
