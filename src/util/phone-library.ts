import { createRequire } from 'node:module';
import type { MetadataJson } from 'libphonenumber-js';

/** Its CommonJS build exports all of the ES build but the `Metadata` class (see `numberingPlans`). */
type PhoneLibrary = Omit<typeof import('libphonenumber-js/max'), 'Metadata'>;
type PhoneCore = typeof import('libphonenumber-js/core');

const require = createRequire(import.meta.url);
let loaded: { library: PhoneLibrary; core: PhoneCore; metadata: MetadataJson } | undefined;

/**
 * libphonenumber-js with its complete ("max") metadata, loaded on first use: 140 modules and the
 * numbering plans of every country, about 6 MB resident, that an idle process never needs.
 * Its CommonJS build is required synchronously so the parsing functions stay synchronous.
 */
export function phoneLibrary(): PhoneLibrary {
  return load().library;
}

export function phoneMetadata(): MetadataJson {
  return load().metadata;
}

/** The numbering plans (the `Metadata` class the ES build of /max exports, which its CommonJS build lacks). */
export function numberingPlans(): InstanceType<PhoneCore['Metadata']> {
  const { core, metadata } = load();
  return new core.Metadata(metadata);
}

function load() {
  loaded ??= { library: require('libphonenumber-js/max'), core: require('libphonenumber-js/core'), metadata: require('libphonenumber-js/metadata.max.json') };
  return loaded;
}

/** True for the two-letter regions libphonenumber knows, e.g. US, GB, DE. */
export function isSupportedRegion(region: string): boolean {
  return phoneLibrary().isSupportedCountry(region);
}
