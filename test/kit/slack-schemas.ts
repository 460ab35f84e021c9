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

/**
 * Web API responses, from Slack's OpenAPI document (slack-api-specs web-api/slack_web_openapi_v2.json,
 * trimmed to the methods here). It predates the external upload methods (files.getUploadURLExternal,
 * files.completeUploadExternal), which the emulator models from their method pages instead.
 */
function compileWebApiResponses(): Map<string, ValidateFunction> {
  const spec = fixture('slack_web_openapi_files_info.json');
  const validators = new Map<string, ValidateFunction>();
  for (const [path, operations] of Object.entries<Record<string, { responses: Record<string, { schema: object }> }>>(spec.paths)) {
    const success = Object.values(operations)[0]?.responses['200']?.schema;
    if (success) validators.set(path.slice(1), newAjv().compile({ ...success, definitions: spec.definitions }));
  }
  return validators;
}

const validateManifest = compileManifestSchema();
const validateEnvelope = compileEventWrapperSchema();
const validateWebApi = compileWebApiResponses();

/** Problems with a successful Web API response, by Slack's schema for the method. */
export function webApiResponseProblems(method: string, body: unknown): string[] {
  const validate = validateWebApi.get(method);
  if (!validate) return [`no schema for ${method}`];
  return problemsOf(validate, body);
}

export function manifestProblems(manifest: unknown): string[] {
  return problemsOf(validateManifest, manifest);
}

export function eventEnvelopeProblems(body: unknown): string[] {
  return problemsOf(validateEnvelope, body);
}
