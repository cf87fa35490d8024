import type { ConnectorCatalog } from '../ports.js';
import type { SignInExperienceService } from '../sign-in-experience.js';
import type { ConnectorService } from '../connectors/service.js';
import type { Circuits } from './circuit.js';
import type { EmailSender } from './sender.js';
import type { MessageRenderer } from './render.js';
import type { EmailLogs } from './email-logs.js';
import type { ConnectorTestSend } from './test-send.js';

export interface EmailServices {
  registry: ConnectorCatalog;
  connectors: ConnectorService;
  sender: EmailSender;
  renderer: MessageRenderer;
  signInExperience: SignInExperienceService;
  logs: EmailLogs;
  testSend: ConnectorTestSend;
  /** The tenant's fallback connector (SPEC §15), managed like the primary. */
  fallback: ConnectorService;
  /** This instance's circuit per connector (SPEC §15). */
  circuits: Circuits;
}
