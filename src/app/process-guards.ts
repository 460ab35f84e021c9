import type { Logger } from '../logging/logger.js';

/**
 * A promise that fails with no one to handle it is a bug, but not one worth every tenant's
 * requests: Node's default ends the process. It is logged instead, and the process keeps
 * serving. (An uncaught exception still ends it: after a throw outside any promise the
 * process state cannot be trusted.)
 */
export function keepRunningOnUnhandledRejection(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'a failure nothing was waiting for; Switchboard keeps running');
  });
}

/**
 * An exception nothing caught ends the process, as Node would — but as a fatal line in the log
 * (written before the exit: see the logger's stream), not only a stack trace on standard error.
 */
export function logUncaughtExceptions(logger: Logger): void {
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'an uncaught exception ends Switchboard');
    process.exit(1);
  });
}
