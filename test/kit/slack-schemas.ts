import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** Slack's published schemas (test/fixtures/slack/ names their sources), compiled once for the tests. */
const fixture = (file: string) => JSON.parse(readFileSync(new URL(`../fixtures/slack/${file}`, import.meta.url), 'utf8'));

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

function problemsOf(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

function compileManifestSchema(): ValidateFunction {
  const ajv = newAjv();
  // The entry schema refers to the versioned files by their published address.
  const published = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';
  for (const file of ['manifest.schema.1.0.0.json', 'manifest.schema.2.0.0.json']) ajv.addSchema(fixture(file), `${published}${file}`);
  return ajv.compile(fixture('manifest.schema.json'));
}

function compileEventWrapperSchema(): ValidateFunction {
  const schema = fixture('slack_common_event_wrapper_schema.json');
  // The wrapper schema predates org-wide apps: deliveries for an org-wide install carry
  // `team_id: null` beside `enterprise_id` (Slack's own team_access_revoked example shows it).
  schema.properties.team_id = { ...schema.properties.team_id, type: ['string', 'null'] };
  return newAjv().compile(schema);
}

const validateManifest = compileManifestSchema();
const validateEnvelope = compileEventWrapperSchema();

export function manifestProblems(manifest: unknown): string[] {
  return problemsOf(validateManifest, manifest);
}

export function eventEnvelopeProblems(body: unknown): string[] {
  return problemsOf(validateEnvelope, body);
}
