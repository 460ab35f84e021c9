import type { Scenario } from './scenario.js';

/** The README's "What people see" list sits between these lines; `npm run screens` writes it from the scenario table. */
export const readmeMarkers = {
  start: '<!-- screens:start (npm run screens writes this list from test/kit/screens/scenarios/) -->',
  end: '<!-- screens:end -->',
} as const;

/** The main scenarios, each as its sentence and its picture. */
export function readmeGallery(list: readonly Scenario[]): string {
  const main = list.filter((scenario) => scenario.main);
  const entries = main.map((scenario) => `${scenario.caption}\n\n![${scenario.name}](docs/screens/${scenario.name}.png)`);
  const others = list.filter((scenario) => !scenario.main).map((scenario) => `[${scenario.name}](docs/screens/${scenario.name}.png)`);
  const more = `More in [docs/screens/](docs/screens/): ${others.join(', ')}.`;
  return [readmeMarkers.start, ...entries, more, readmeMarkers.end].join('\n\n');
}

/** The README with its list replaced by `gallery`; throws when the markers are missing. */
export function withGallery(readme: string, gallery: string): string {
  const start = readme.indexOf(readmeMarkers.start);
  const end = readme.indexOf(readmeMarkers.end);
  if (start < 0 || end < start) throw new Error(`The README has no ${readmeMarkers.start} … ${readmeMarkers.end} block`);
  return `${readme.slice(0, start)}${gallery}${readme.slice(end + readmeMarkers.end.length)}`;
}
