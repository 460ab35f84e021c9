import { afterEach, beforeEach } from 'vitest';
import type { Logger } from '../../src/logging/logger.js';
import { type EngineKind, openTestStore, type TestStore } from './stores.js';

/** Inside a `describe`: a fresh store of `kind` before each test (handed to `use`), cleaned up after it. */
export function storePerTest(kind: EngineKind, logger: Logger, use: (opened: TestStore) => void): void {
  let opened: TestStore | undefined;
  beforeEach(async () => {
    opened = await openTestStore(kind, logger);
    use(opened);
  });
  afterEach(async () => {
    await opened?.cleanup();
  });
}
