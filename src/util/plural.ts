/** "1 member", "2 members", "1,234 rows": a count with the word that agrees with it. */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
