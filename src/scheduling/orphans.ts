import type {
  DryRun,
  Orphan,
  RequestContext,
  ServiceResult,
  TriggerListItem,
} from './scheduling-service.js';
import type { ListQuery } from './trigger-listing.js';
import type { Page } from './triggers.js';

/**
 * Orphans: triggers whose pipeline was deleted, which would fail at every run. Found over the
 * whole listing, each pipeline asked about once; cleaned up trigger by trigger through the
 * service's own delete, so each removal is recorded like any other.
 */

export async function findOrphans(deps: {
  list(query: ListQuery): Promise<ServiceResult<Page<TriggerListItem>>>;
  pipelineExists(name: string): Promise<boolean>;
}): Promise<ServiceResult<Orphan[]>> {
  const orphans: Orphan[] = [];
  const known = new Map<string, boolean>();
  const exists = async (name: string) => {
    const key = name.toLowerCase();
    if (!known.has(key)) known.set(key, await deps.pipelineExists(name));
    return known.get(key) ?? false;
  };
  let nextToken: string | undefined;
  do {
    const page = await deps.list({ maxResults: 100, ...(nextToken ? { nextToken } : {}) });
    if (!page.ok) return page;
    for (const item of page.value.items) {
      const missing: string[] = [];
      for (const pipelineName of item.pipelineNames)
        if (!(await exists(pipelineName))) missing.push(pipelineName);
      if (missing.length > 0)
        orphans.push({
          kind: item.kind,
          name: item.name,
          arn: item.arn,
          missingPipelines: missing,
        });
    }
    nextToken = page.value.nextToken;
  } while (nextToken);
  return { ok: true, value: orphans };
}

export async function removeOrphans(
  service: {
    orphans(): Promise<ServiceResult<Orphan[]>>;
    delete(name: string, ctx: RequestContext): Promise<ServiceResult<TriggerListItem | DryRun>>;
  },
  ctx: RequestContext,
  names?: string[],
): Promise<ServiceResult<Orphan[] | DryRun>> {
  const found = await service.orphans();
  if (!found.ok) return found;
  const chosen = names ? found.value.filter((o) => names.includes(o.name)) : found.value;
  if (ctx.dryRun) {
    const requests: DryRun['requests'] = [];
    for (const orphan of chosen) {
      const result = await service.delete(orphan.name, {
        ...ctx,
        requestId: `${ctx.requestId}-${orphan.name}`,
      });
      if (result.ok && 'dryRun' in result.value) requests.push(...result.value.requests);
    }
    return { ok: true, value: { dryRun: true, requests } };
  }
  const removed: Orphan[] = [];
  for (const orphan of chosen) {
    const result = await service.delete(orphan.name, {
      ...ctx,
      requestId: `${ctx.requestId}-${orphan.name}`,
    });
    if (result.ok) removed.push(orphan);
    else if (result.error.code !== 'NOT_FOUND') return result;
  }
  return { ok: true, value: removed };
}
