/** Registers value schemas with a Confluent-compatible schema registry (and deletes them for --clean). */
import { createRequire } from 'node:module';
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { RegistryOptions } from './options.js';

type Client = import('@confluentinc/schemaregistry').SchemaRegistryClient;

export async function registryClient(o: RegistryOptions | undefined): Promise<Client> {
  if (!o) throw new DatagenError(ErrorCodes.USAGE, 'Avro needs a schema registry: set SCHEMA_REGISTRY_URL');
  // The client module alone: the package index also loads cloud KMS SDKs, about 2 s of start-up.
  deferOAuthModules();
  const { SchemaRegistryClient } = await import('@confluentinc/schemaregistry/dist/schemaregistry-client.js');
  return new SchemaRegistryClient({
    baseURLs: [o.url],
    ...(o.username ? { basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `${o.username}:${o.password ?? ''}` } } : {}),
    maxRetries: 2,
  });
}

/**
 * The client's REST module loads its two OAuth token clients (`simple-oauth2` with its validator
 * `joi`, and `@hapi/wreck`) as it loads, for credentials datagen never passes: about a third of
 * the client's load time, on the main thread before the first record. They are put in the module
 * cache as stand-ins that load the real module at the first use of any of their exports. A
 * package whose files have moved loads as it is.
 */
function deferOAuthModules(): void {
  const require = createRequire(import.meta.url);
  for (const file of ['oauth-client.js', 'oauth-client-azure-imds.js']) {
    let path: string;
    try {
      path = require.resolve(`@confluentinc/schemaregistry/dist/oauth/${file}`);
    } catch {
      continue;
    }
    if (require.cache[path]) continue;
    let real: Record<string | symbol, unknown> | undefined;
    const load = () => {
      if (!real) {
        delete require.cache[path];
        real = require(path) as Record<string | symbol, unknown>;
      }
      return real;
    };
    const exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });
    require.cache[path] = { id: path, filename: path, loaded: true, exports, children: [], paths: [] } as unknown as NodeJS.Module;
  }
}

export async function registerValueSchema(client: Client, subject: string, schema: object, url: string): Promise<number> {
  try {
    return await client.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(schema) });
  } catch (e) {
    throw new DatagenError(ErrorCodes.CONNECTION, `schema registry at ${safeUrl(url)} refused subject "${subject}": ${(e as Error).message}`, { cause: e });
  }
}

export async function deleteSubject(client: Client, subject: string): Promise<boolean> {
  try {
    await client.deleteSubject(subject, false);
  } catch (e) {
    if (/40401|not found|404/i.test(String((e as Error).message))) return false;
    throw new DatagenError(ErrorCodes.CONNECTION, `could not delete subject "${subject}": ${(e as Error).message}`, { cause: e });
  }
  await client.deleteSubject(subject, true).catch(() => undefined);
  return true;
}

/** A URL fit to print: credentials removed. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
