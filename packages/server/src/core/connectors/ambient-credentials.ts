import { ConnectorError } from '@postern/connector-kit';

/**
 * An `aws-ses` config without keys uses the AWS default credential chain, which is the
 * operator's own identity: only tenants the operator lists in POSTERN_AWS_AMBIENT_TENANTS
 * may save one (SPEC §3.1). Checked when a config is saved, tested or imported; the
 * connector checks again when it sends (ConnectorContext.ambientCredentials), for a config
 * saved before the list changed.
 */
export function ambientCredentialsRule(allows: (tenantId: string) => boolean) {
  return (tenantId: string, factoryId: string, config: Record<string, unknown>): void => {
    if (factoryId !== 'aws-ses' || config.accessKeyId || config.secretAccessKey || allows(tenantId)) return;
    throw new ConnectorError(
      'connector.bad_config',
      "The Amazon SES configuration needs accessKeyId and secretAccessKey: this tenant may not use the server's own AWS identity (POSTERN_AWS_AMBIENT_TENANTS).",
      {
        details: {
          issues: [
            { path: 'config.accessKeyId', message: 'required for this tenant' },
            { path: 'config.secretAccessKey', message: 'required for this tenant' },
          ],
        },
      },
    );
  };
}
