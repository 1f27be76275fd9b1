/**
 * The value of `list`'s Next page button: the pipeline it was filtered by and where the page
 * stopped. Read back leniently — a button value is whatever the click sends — into a command
 * that only reads, through the same read filter as any list.
 */
export function listPageValue(page: { pipeline?: string; after: string }): string {
  return JSON.stringify(page);
}

export function readListPageValue(value: string): { pipeline?: string; after?: string } {
  try {
    const parsed = JSON.parse(value) as { pipeline?: unknown; after?: unknown };
    return {
      ...(typeof parsed.pipeline === 'string' && parsed.pipeline
        ? { pipeline: parsed.pipeline }
        : {}),
      ...(typeof parsed.after === 'string' && parsed.after ? { after: parsed.after } : {}),
    };
  } catch {
    return {};
  }
}
