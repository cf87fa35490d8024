import type { ConnectorRegistry } from '../../connectors/registry.js';
import type { SignInExperienceService } from '../sign-in-experience.js';
import type { ConnectorService } from '../connectors/service.js';
import type { EmailSender } from './sender.js';
import type { MessageRenderer } from './render.js';

export interface EmailServices {
  registry: ConnectorRegistry;
  connectors: ConnectorService;
  sender: EmailSender;
  renderer: MessageRenderer;
  signInExperience: SignInExperienceService;
}
