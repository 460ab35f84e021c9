import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Loopback servers and timers: a few files at a time keeps timing-sensitive tests honest on small machines.
    maxWorkers: 3,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
