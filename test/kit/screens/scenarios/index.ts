import type { Scenario } from '../scenario.js';
import { connectScenarios } from './connect.js';
import { homeScenarios } from './home.js';
import { numberScenarios } from './numbers.js';
import { phoneScenarios } from './phone.js';
import { routeScenarios } from './routes.js';

/** Every surface of the gallery, in the order they are reached: the Home tabs last, once there is something to show. */
export const scenarios: readonly Scenario[] = [...connectScenarios, ...routeScenarios, ...phoneScenarios, ...numberScenarios, ...homeScenarios];
