/** Registers value schemas with a Confluent-compatible schema registry (and deletes them for --clean). */
import { DatagenError, ErrorCodes } from '../../errors.js';
import type { RegistryOptions } from './options.js';

type Client = import('@confluentinc/schemaregistry').SchemaRegistryClient;

export async function registryClient(o: RegistryOptions | undefined): Promise<Client> {
  if (!o) throw new DatagenError(ErrorCodes.USAGE, 'Avro needs a schema registry: set SCHEMA_REGISTRY_URL');
  // The client module alone: the package index also loads cloud KMS SDKs, about 2 s of start-up.
  const { SchemaRegistryClient } = await import('@confluentinc/schemaregistry/dist/schemaregistry-client.js');
  return new SchemaRegistryClient({
    baseURLs: [o.url],
    ...(o.username ? { basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `${o.username}:${o.password ?? ''}` } } : {}),
    maxRetries: 2,
  });
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
