import type { FakeNovu } from './backends/novu.js';

/**
 * An integrator's own service triggering a workflow through Novu's API, as the README tells them
 * to: over HTTP with the environment's secret key. Resolves once Novu's worker has delivered it.
 */
export async function integratorTrigger(
  novu: FakeNovu,
  body: { name: string; to: string | Record<string, unknown>; payload?: Record<string, unknown>; context?: Record<string, unknown>; transactionId?: string },
): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${novu.url}/v1/events/trigger`, {
    method: 'POST',
    headers: { authorization: `ApiKey ${novu.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, any>;
  await novu.worker.idle();
  return { status: response.status, body: answer };
}
