import type { BotProtectionService } from './captcha.js';
import type { EmailPolicyService } from './domain-policy.js';

export { BotProtectionService, CAPTCHA_ACTIONS, SITEVERIFY_URLS } from './captcha.js';
export { EmailPolicyService, blockReason } from './domain-policy.js';

/** Abuse protection (SPEC §19): bot protection on public sends and the email domain policy. */
export interface AbuseServices {
  botProtection: BotProtectionService;
  emailPolicy: EmailPolicyService;
}
