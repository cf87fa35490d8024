import { DkimKeys } from '../deliverability/DkimKeys.js';
import { DomainCheck } from '../deliverability/DomainCheck.js';

/** DKIM keys and the SPF/DKIM/DMARC check of a sending domain (SPEC §12). */
export function DeliverabilityPage() {
  return (
    <section>
      <h1>Deliverability</h1>
      <p className="muted">Sign-in mail that lands in spam is a sign-in that fails. Sign it with DKIM and check the domain’s records.</p>
      <DkimKeys />
      <DomainCheck />
    </section>
  );
}
