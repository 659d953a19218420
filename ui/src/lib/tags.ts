// Tag autocompletion, kept free of DOM for unit tests.

/** How many suggestions the tag input shows at most. */
export const MAX_SUGGESTIONS = 8;

/**
 * The known tags worth suggesting for what was typed: those starting with it first (in the order
 * given, most used first), then those containing it, without the ones excluded (case-insensitive).
 */
export function suggestTags(known: string[], typed: string, exclude: string[] = []): string[] {
  const needle = typed.trim().toLocaleLowerCase();
  if (needle === '') return [];
  const skip = new Set(exclude.map((tag) => tag.toLocaleLowerCase()));
  const starting: string[] = [];
  const containing: string[] = [];
  for (const tag of known) {
    const lower = tag.toLocaleLowerCase();
    if (skip.has(lower)) continue;
    if (lower.startsWith(needle)) starting.push(tag);
    else if (lower.includes(needle)) containing.push(tag);
    if (starting.length >= MAX_SUGGESTIONS) break;
  }
  return [...starting, ...containing].slice(0, MAX_SUGGESTIONS);
}
