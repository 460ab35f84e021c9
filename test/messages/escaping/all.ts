import { connectCoverage } from './connect.js';
import { deliveryCoverage } from './delivery.js';
import { homeCoverage } from './home.js';
import type { ModuleCoverage } from './kit.js';
import { numberCoverage } from './numbers.js';
import { phoneCoverage } from './phone.js';
import { reportCoverage } from './reports.js';
import { requestCoverage } from './requests.js';
import { routeCoverage } from './routes.js';
import { slackCoverage } from './slack.js';

/** Every message and view builder's fixtures, module by module. */
export const allCoverage: ModuleCoverage[] = [
  ...slackCoverage,
  ...connectCoverage,
  ...deliveryCoverage,
  ...homeCoverage,
  ...numberCoverage,
  ...requestCoverage,
  ...phoneCoverage,
  ...reportCoverage,
  ...routeCoverage,
];
