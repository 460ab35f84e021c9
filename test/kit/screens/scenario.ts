import type { Driver, Surface } from './driver.js';

/**
 * One surface of the gallery: how to reach it through the running app, and what it is. Scenarios
 * run in the order of the table, on one workspace, so each may build on what came before (a route
 * made by one is listed by the next). A new surface is one more row.
 */
export interface Scenario {
  /** The picture's file name, `docs/screens/<name>.png`. */
  name: string;
  /** One sentence: who sees it, and when. */
  caption: string;
  /** Shown in the README's "What people see". */
  main?: true;
  /** Texts the scenario fed in whole (a long vendor error, say): where the surface shows one cut, the cut must end at a word. */
  fed?: string[];
  run(driver: Driver): Promise<Surface>;
}
