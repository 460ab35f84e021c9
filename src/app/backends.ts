import { NovuClient } from '../backends/novu/client.js';
import { SignalWireClient } from '../backends/signalwire/client.js';
import { VapiClient } from '../backends/vapi/client.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';

/** The backends whose keys are configured; the others are switched off. */
export interface Backends {
  novu?: NovuClient;
  vapi?: VapiClient;
  signalwire?: SignalWireClient;
}

export function createBackends(config: Config, logger: Logger, metrics: Metrics): Backends {
  const timeoutMs = config.tuning.backendTimeoutMs;
  const backends: Backends = {};
  if (config.novu) backends.novu = new NovuClient({ ...config.novu, timeoutMs, logger, metrics });
  if (config.vapi) backends.vapi = new VapiClient({ ...config.vapi, timeoutMs, logger, metrics });
  if (config.signalwire) backends.signalwire = new SignalWireClient({ ...config.signalwire, timeoutMs, logger, metrics });
  return backends;
}
