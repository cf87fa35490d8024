import type { ConnectorRegistry } from '../../connectors/registry.js';
import type { SignInExperienceService } from '../sign-in-experience.js';
import type { ConnectorService } from './connectors.js';
import type { Circuits } from '../delivery/circuit.js';
import type { EmailSender } from './sender.js';
import type { MessageRenderer } from './render.js';

export interface EmailServices {
  registry: ConnectorRegistry;
  connectors: ConnectorService;
  sender: EmailSender;
  renderer: MessageRenderer;
  signInExperience: SignInExperienceService;
  /** The tenant's fallback connector (SPEC §15), managed like the primary. */
  fallback: ConnectorService;
  /** This instance's circuit per connector (SPEC §15). */
  circuits: Circuits;
}
