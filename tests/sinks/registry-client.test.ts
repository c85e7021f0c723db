import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { registryClient } from '../../src/sinks/kafka/registry.js';

const require = createRequire(import.meta.url);
const loaded = (name: string) => Object.keys(require.cache).some((p) => p.includes(`/node_modules/${name}/`));

// node --test runs each file in a process of its own, so this file's module cache starts empty.
test('the registry client loads without its OAuth modules, and they load when OAuth credentials are used', async () => {
  const client = await registryClient({ url: 'http://127.0.0.1:9/apis/ccompat/v7' });
  assert.equal(typeof client.register, 'function');
  assert.ok(loaded('axios'), 'the client itself was loaded');
  assert.ok(!loaded('simple-oauth2') && !loaded('@hapi/wreck'), 'the OAuth clients were not');

  // A client with OAuth credentials (not a datagen setting) still works: the stand-ins load the real modules.
  const { SchemaRegistryClient } = await import('@confluentinc/schemaregistry/dist/schemaregistry-client.js');
  const oauth = new SchemaRegistryClient({
    baseURLs: ['http://127.0.0.1:9'],
    bearerAuthCredentials: { credentialsSource: 'OAUTHBEARER', logicalCluster: 'lsrc-1', identityPoolId: 'pool-1', clientId: 'id', clientSecret: 'secret', issuerEndpointUrl: 'https://idp.invalid/token', scope: 'sr' },
  });
  assert.ok(oauth);
  assert.ok(loaded('simple-oauth2'), 'simple-oauth2 was loaded for the OAuth client');
  assert.throws(
    () => new SchemaRegistryClient({ baseURLs: ['http://127.0.0.1:9'], bearerAuthCredentials: { credentialsSource: 'OAUTHBEARER_AZURE_IMDS', logicalCluster: 'lsrc-1', identityPoolId: 'pool-1' } }),
    /query|not provided/i,
    'the Azure client is the real one: it validates its own fields',
  );
  assert.ok(loaded('@hapi/wreck'));
});
