import type { Runtime } from '../../runtime.js';
import { previewStoredSchedule } from '../../scheduling/expression/index.js';
import type { Orphan, TriggerListItem } from '../../scheduling/scheduling-service.js';
import type { Tick } from '../../scheduling/ticks.js';
import { homeView } from '../views/home.js';

/** Triggers looked at for "due in the next 24 hours"; more would make the Home tab slow. */
const MAX_TRIGGERS_SCANNED = 200;
const DAY_MS = 86_400_000;

/**
 * App Home for one person, from what the store and the back end hold now: my triggers,
 * approvals waiting for me, the runs due in the next 24 hours, and orphans for those who may
 * delete them — only what this person may read.
 */
export async function homeFor(runtime: Runtime, userId: string) {
  // Home shows only what this person may read; someone with no role sees no pipeline at all.
  const reader = await runtime.access.reader(userId);
  if (!reader.ok) return homeView({ userId, myTriggers: [], pendingApprovals: [], dueSoon: [] });
  const listed = await runtime.service.list({ maxResults: 100 });
  const all: TriggerListItem[] = (listed.ok ? listed.value.items : []).filter((item) =>
    reader.mayRead(item.pipelineNames),
  );
  const myTriggers: TriggerListItem[] = [];
  const recentRuns: Record<string, Tick[]> = {};
  const dueSoon: Array<{ name: string; pipelineName: string; at: Date }> = [];
  const now = new Date();
  for (const item of all.slice(0, MAX_TRIGGERS_SCANNED)) {
    const record = await runtime.store.triggerRecords.get(
      item.kind,
      item.kind === 'schedule' ? `${runtime.service.group}/${item.name}` : item.name,
    );
    if (record?.createdBy === userId) {
      myTriggers.push(item);
      if (item.kind === 'schedule')
        recentRuns[item.ref] = await runtime.store.ticks.recent(`${item.place}/${item.name}`, 3);
    }
    if (item.kind !== 'schedule' || item.state !== 'ENABLED') continue;
    const described = await runtime.service.describe(item.name, now);
    if (!described.ok || described.value.kind !== 'schedule') continue;
    const t = described.value.trigger;
    // Counted as the engine fires them (a rate from its creation second), as describe shows.
    const upcoming = previewStoredSchedule(t, { now, count: 50 });
    if (!upcoming.ok) continue;
    for (const at of upcoming.preview.occurrences) {
      if (at.getTime() - now.getTime() > DAY_MS) break;
      dueSoon.push({ name: t.name, pipelineName: t.pipelineName, at });
    }
  }
  dueSoon.sort((a, b) => a.at.getTime() - b.at.getTime());
  // Approvals waiting for this person: not their own, and only where they hold an approving role.
  const approvable = [];
  for (const entry of await runtime.access.workflow.pending()) {
    if (entry.request.requestedBy === userId) continue;
    if (!reader.mayRead(entry.request.pipelineNames)) continue;
    if (await runtime.access.canApprove(userId, entry.request.approverRoles))
      approvable.push(entry);
  }
  let orphans: Orphan[] | undefined;
  const found = await runtime.service.orphans();
  const visibleOrphans = found.ok
    ? found.value.filter((o) => reader.mayRead(o.missingPipelines))
    : [];
  if (visibleOrphans.length > 0) {
    const decision = await runtime.access.decide({
      userId,
      action: 'delete',
      pipelineNames: [...new Set(visibleOrphans.flatMap((o) => o.missingPipelines))],
    });
    if (decision.outcome !== 'deny') orphans = visibleOrphans;
  }
  return homeView({
    userId,
    myTriggers,
    recentRuns,
    pendingApprovals: approvable,
    dueSoon,
    ...(orphans ? { orphans } : {}),
  });
}
