import type { Page, PageRequest } from '../triggers.js';

/** The largest page every List operation the adapters use accepts (MaxResults / Limit ≤ 100). */
export const AWS_MAX_PAGE_SIZE = 100;

export interface AwsPage<T> {
  items: T[];
  nextToken?: string | undefined;
}

/**
 * Fills one of our pages from AWS pages. AWS may answer a short (even empty) page together
 * with a NextToken, so we keep asking until we hold `maxResults` items or AWS has no more.
 * Without `maxResults` every page is read. Never asks for more than still fits, so the
 * returned token resumes exactly after the last item.
 */
export async function fillPage<T>(
  request: PageRequest,
  fetchPage: (nextToken: string | undefined, limit: number) => Promise<AwsPage<T>>,
): Promise<Page<T>> {
  const wanted = request.maxResults === undefined ? undefined : Math.max(1, request.maxResults);
  const items: T[] = [];
  let token = request.nextToken;
  do {
    const limit = Math.min(
      AWS_MAX_PAGE_SIZE,
      wanted === undefined ? AWS_MAX_PAGE_SIZE : wanted - items.length,
    );
    const page = await fetchPage(token, limit);
    items.push(...page.items);
    // A token that comes back unchanged would loop forever.
    token = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
  } while (token !== undefined && (wanted === undefined || items.length < wanted));
  return token === undefined ? { items } : { items, nextToken: token };
}

/** Reads every page, for lists that are small by design (the targets of one rule). */
export async function readAllPages<T>(
  fetchPage: (nextToken: string | undefined, limit: number) => Promise<AwsPage<T>>,
): Promise<T[]> {
  return (await fillPage({}, fetchPage)).items;
}
