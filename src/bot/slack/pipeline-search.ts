import type { PipelineSummary } from '../../scheduling/pipeline.js';
import type { SchedulingService } from '../../scheduling/scheduling-service.js';

/** How long the list of pipelines is reused: long enough for a person's typing, short for a deploy. */
const TTL_MS = 60_000;
/** Slack shows at most 100 options. */
const MAX_OPTIONS = 100;
/** Enough for any real account; ListPipelines pages of 100. */
const MAX_PIPELINES = 20_000;

/**
 * Finds pipelines by any part of their name, for the modal's external select. Slack wants an
 * answer within three seconds for every keystroke, so the whole list is read once (paged) and
 * kept for a minute; each search is then a filter in memory, even with 10,000 pipelines.
 */
export class PipelineSearch {
  private cached?: { at: number; pipelines: Promise<PipelineSummary[]> };

  constructor(
    private readonly service: SchedulingService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Pipelines whose name contains the query, those starting with it first; `visible` filters. */
  async search(
    query: string,
    visible: (pipeline: PipelineSummary) => boolean = () => true,
  ): Promise<PipelineSummary[]> {
    const all = await this.all();
    const q = query.trim().toLowerCase();
    const starts: PipelineSummary[] = [];
    const contains: PipelineSummary[] = [];
    for (const p of all) {
      if (!visible(p)) continue;
      const name = p.name.toLowerCase();
      if (name.startsWith(q)) starts.push(p);
      else if (name.includes(q)) contains.push(p);
      if (starts.length >= MAX_OPTIONS) break;
    }
    return [...starts, ...contains].slice(0, MAX_OPTIONS);
  }

  private all(): Promise<PipelineSummary[]> {
    if (this.cached && this.now() - this.cached.at < TTL_MS) return this.cached.pipelines;
    const pipelines = this.load();
    this.cached = { at: this.now(), pipelines };
    // A failed load is not kept: the next keystroke tries again.
    pipelines.catch(() => {
      delete this.cached;
    });
    return pipelines;
  }

  private async load(): Promise<PipelineSummary[]> {
    const out: PipelineSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.service.pipelines(undefined, nextToken);
      if (!page.ok) throw new Error(page.error.message);
      out.push(...page.value.items);
      nextToken = page.value.nextToken;
    } while (nextToken && out.length < MAX_PIPELINES);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
