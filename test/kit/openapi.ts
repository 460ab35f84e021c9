import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Json = Record<string, any>;

export type VendorSpec = 'novu' | 'vapi' | 'signalwire';

/** Validates request bodies against a vendor's OpenAPI document (3.0 or 3.1). */
export class OpenApiValidator {
  private readonly document: Json;
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(spec: VendorSpec) {
    const file = fileURLToPath(new URL(`../fixtures/openapi/${spec}.json`, import.meta.url));
    this.document = asAjvReads(JSON.parse(readFileSync(file, 'utf8')) as Json) as Json;
    const options = { strict: false, allErrors: true, validateSchema: false, discriminator: false } as const;
    this.ajv = String(this.document.openapi).startsWith('3.1') ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
    (addFormats as unknown as (ajv: Ajv) => void)(this.ajv);
  }

  /** Problems with `body` as the request body of `method path` (path as written in the spec, e.g. `/phone-number/{id}`). */
  validateRequest(method: string, specPath: string, body: unknown): string[] {
    const operation = this.document.paths?.[specPath]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${specPath} is not in the vendor's spec`];
    const requestBody = operation.requestBody;
    if (!requestBody) return body === undefined ? [] : [`${method} ${specPath} takes no body`];
    if (body === undefined) return requestBody.required ? ['the request body is required'] : [];
    const key = `${method} ${specPath}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const schema = requestBody.content?.['application/json']?.schema;
      // Keep components beside the schema so its "#/components/..." references resolve.
      validate = this.ajv.compile({ ...schema, components: this.document.components });
      this.cache.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${error.instancePath || 'body'} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
    );
  }

  /**
   * Problems with `query` for `method path`: a name the operation does not declare, a required one
   * missing, or a value its schema refuses (numbers and integers read as the server reads them).
   */
  validateQuery(method: string, specPath: string, query: URLSearchParams): string[] {
    const operation = this.document.paths?.[specPath]?.[method.toLowerCase()];
    if (!operation) return [];
    const declared = new Map<string, Json>();
    for (const parameter of (operation.parameters ?? []) as Json[]) {
      const resolved = this.resolve(parameter);
      if (resolved.in === 'query') declared.set(String(resolved.name), resolved);
    }
    const problems: string[] = [];
    for (const [name, parameter] of declared) {
      if (parameter.required && !query.has(name)) problems.push(`query ${name} is required`);
    }
    for (const [name, text] of query) {
      const parameter = declared.get(name);
      if (!parameter) {
        problems.push(`query ${name} should not exist`);
        continue;
      }
      const schema = this.resolve(parameter.schema ?? {});
      const value = schema.type === 'number' || schema.type === 'integer' ? (text.trim() === '' ? Number.NaN : Number(text)) : text;
      const key = `query ${method} ${specPath} ${name}`;
      let validate = this.cache.get(key);
      if (!validate) {
        validate = this.ajv.compile({ ...schema, components: this.document.components });
        this.cache.set(key, validate);
      }
      if (!validate(value)) problems.push(`query ${name}=${text} ${validate.errors?.map((error) => error.message).join(', ') ?? 'is invalid'}`);
    }
    return problems;
  }

  private resolve(node: Json): Json {
    const ref = node.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
    return ref
      .slice(2)
      .split('/')
      .reduce((at: Json, part) => at?.[part], this.document) as Json;
  }

  /** The `{placeholders}` path in the spec that a concrete path matches. */
  matchPath(method: string, path: string): string | undefined {
    for (const specPath of Object.keys(this.document.paths ?? {})) {
      const pattern = new RegExp(`^${specPath.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (pattern.test(path) && this.document.paths[specPath][method.toLowerCase()]) return specPath;
    }
    return undefined;
  }
}

/**
 * What the document means, in a form Ajv takes:
 * - OpenAPI 3.0 lets `nullable: true` stand beside `allOf`/`oneOf` without a `type`; Ajv refuses
 *   that. Such a node becomes "the schema, or null".
 * - A `oneOf` with a discriminator mapping picks its schema by the tag (Novu's workflow steps):
 *   the tag must be one of the mapping's keys, and the body must match that key's schema.
 * - A `oneOf` whose other branch is "any object" (Novu's step controlValues) is matched by both
 *   branches for every object, which `oneOf` refuses: the document means "either", `anyOf`.
 */
function asAjvReads(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asAjvReads);
  if (!node || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node as Json).map(([key, value]) => [key, asAjvReads(value)])) as Json;
  if (copy.nullable === true && copy.type === undefined) {
    const { nullable: _nullable, ...rest } = copy;
    return { anyOf: [rest, { type: 'null' }] };
  }
  const mapping = copy.discriminator?.mapping as Record<string, string> | undefined;
  if (Array.isArray(copy.oneOf) && mapping) {
    const tag = String(copy.discriminator.propertyName);
    const { oneOf: _oneOf, discriminator: _discriminator, ...rest } = copy;
    return {
      ...rest,
      type: 'object',
      required: [tag],
      properties: { [tag]: { enum: Object.keys(mapping) } },
      // For each tag value: a body with another tag, or one that matches that tag's schema.
      allOf: Object.entries(mapping).map(([value, ref]) => ({ anyOf: [{ not: { properties: { [tag]: { const: value } } } }, { $ref: ref }] })),
    };
  }
  const anyObject = (branch: Json) => branch?.type === 'object' && branch.additionalProperties === true && !branch.properties;
  if (Array.isArray(copy.oneOf) && copy.oneOf.some(anyObject)) {
    const { oneOf, ...rest } = copy;
    return { ...rest, anyOf: oneOf };
  }
  return copy;
}
