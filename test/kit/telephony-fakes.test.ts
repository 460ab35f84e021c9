import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSignalWire } from './backends/signalwire.js';
import { FakeVapi } from './backends/vapi.js';

/** The Vapi and SignalWire fakes page as their OpenAPI documents say (see the comments in backends/vapi.ts and signalwire.ts). */
const vapi = new FakeVapi();
const signalwire = new FakeSignalWire();
beforeAll(async () => {
  await Promise.all([vapi.start(), signalwire.start()]);
  vapi.addNumbers(250, (index) => ({ number: `+1415600${String(index).padStart(4, '0')}` }));
  signalwire.addNumbers(120, (index) => ({ number: `+1415700${String(index).padStart(4, '0')}` }));
});
afterAll(() => Promise.all([vapi.stop(), signalwire.stop()]));

async function get(fake: FakeVapi | FakeSignalWire, path: string) {
  const authorization = fake instanceof FakeVapi ? `Bearer ${fake.apiKey}` : `Basic ${Buffer.from(`${fake.projectId}:${fake.apiToken}`).toString('base64')}`;
  const response = await fetch(`${fake.url}${path}`, { headers: { authorization } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('Vapi lists', () => {
  it('GET /v2/phone-number: 100 a page by default, newest first, with PaginationMeta', async () => {
    const { body } = await get(vapi, '/v2/phone-number');
    expect(body.results).toHaveLength(100);
    expect(body.results[0].number).toBe('+14156000249');
    expect(body.metadata).toEqual({ itemsPerPage: 100, totalItems: 250, currentPage: 1, totalPages: 3, hasNextPage: true, sortOrder: 'DESC' });
    const last = await get(vapi, '/v2/phone-number?page=3&limit=100');
    expect(last.body.results).toHaveLength(50);
    expect(last.body.metadata.hasNextPage).toBe(false);
  });

  it('refuses a limit above 1,000, a page below 1 and an undeclared query, as NestJS does', async () => {
    for (const query of ['limit=1001', 'page=0', 'cursor=abc']) {
      const { status, body } = await get(vapi, `/v2/phone-number?${query}`);
      expect(status, query).toBe(400);
      expect(body.statusCode).toBe(400);
    }
  });

  it('GET /assistant: at most `limit`, newest first, and createdAtLt pages on', async () => {
    vapi.addNamed(vapi.assistants, 150, (index) => `Agent ${index}`);
    const first = await get(vapi, '/assistant?limit=100');
    expect(first.body).toHaveLength(100);
    const oldest = first.body.at(-1).createdAt;
    const next = await get(vapi, `/assistant?limit=100&createdAtLt=${encodeURIComponent(oldest)}`);
    expect(next.body).toHaveLength(53);
    expect(next.body.every((assistant: { createdAt: string }) => assistant.createdAt < oldest)).toBe(true);
  });
});

describe('SignalWire list_phone_numbers', () => {
  it('50 a page by default; links.next carries page_number, page_size and page_token, and is absent on the last page', async () => {
    const first = await get(signalwire, '/api/relay/rest/phone_numbers');
    expect(first.body.data).toHaveLength(50);
    const next = new URL(first.body.links.next, signalwire.url);
    expect(Object.fromEntries(next.searchParams)).toMatchObject({ page_number: '1', page_size: '50', page_token: expect.stringMatching(/^PA/) });
    const second = await get(signalwire, `${next.pathname}${next.search}`);
    expect(second.body.data[0].number).toBe('+14157000069');
    const last = await get(signalwire, '/api/relay/rest/phone_numbers?page_size=1000');
    expect(last.body.data).toHaveLength(120);
    expect(last.body.links).not.toHaveProperty('next');
  });

  it('refuses page_number > 0 without page_token, and a page_size outside 1–1,000, with its 400', async () => {
    for (const query of ['page_number=1', 'page_size=0', 'page_size=1001']) {
      const { status, body } = await get(signalwire, `/api/relay/rest/phone_numbers?${query}`);
      expect(status, query).toBe(400);
      expect(body).toEqual({ error: 'Bad Request' });
    }
  });
});
