import type { ConnectorCatalog } from '../ports.js';
import type { SignInExperienceService } from '../sign-in-experience.js';
import type { ConnectorService } from '../connectors/service.js';
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
}
