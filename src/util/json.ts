import type { z } from 'zod';

/** JSON text read through a schema: undefined when it is absent, not JSON, or does not fit. */
export function parseJsonAs<S extends z.ZodType>(schema: S, text: string | null | undefined): z.output<S> | undefined {
  try {
    return schema.safeParse(JSON.parse(text ?? '')).data;
  } catch {
    return undefined;
  }
}
