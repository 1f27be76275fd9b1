import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

/**
 * The Dockerfile against the repository it builds: there is no Docker engine in CI, so this
 * reads the instructions and checks what a build would trip over (a COPY of a missing or
 * ignored file, an output directory tsc does not write) and what the image promises (non-root,
 * a health check on the route the server has, the default port, no secrets in ENV or ARG).
 */

const ROOT = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { text: `${pending.text} ${part}`.trim(), line: pending.line }
      : { text: part, line: index + 1 };
    if (continued) return;
    const keyword = pending.text.split(/\s+/)[0] ?? '';
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: pending.text.slice(keyword.length).trim(),
      line: pending.line,
    });
    pending = undefined;
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({
        image,
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** `--from=build --chown=node a b ./dest` → flags, sources and destination. */
function parseCopy(args: string): {
  flags: Record<string, string>;
  sources: string[];
  dest: string;
} {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [key = '', value = ''] = (words.shift() as string).slice(2).split('=');
    flags[key] = value;
  }
  const dest = words.pop() ?? '';
  return { flags, sources: words, dest };
}

/** The exec form's argv (CMD ["node", "dist/main.js"]), or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : undefined;
}

/** ENV/ARG names: `A=1 B=2`, `A 1` (legacy ENV), `NAME` (ARG without default). */
function declaredNames(instruction: Instruction): string[] {
  if (instruction.keyword === 'ENV' && !instruction.args.split(/\s+/)[0]?.includes('=')) {
    return [instruction.args.split(/\s+/)[0] ?? ''];
  }
  return [...instruction.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)].map(
    (m) => m[1] ?? '',
  );
}

/** A .dockerignore pattern as a regular expression on a context-relative path. */
function ignoreMatcher(pattern: string): RegExp {
  const body = posix
    .normalize(pattern.replace(/^\/+/, ''))
    .split('/')
    .map((segment) =>
      segment === '**'
        ? '.*'
        : segment
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
    )
    .join('/');
  // A pattern naming a directory excludes everything under it.
  return new RegExp(`^${body}(/.*)?$`);
}

const dockerfile = read('Dockerfile');
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1) as Stage;
const finalOf = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);
const workdirOf = (stage: Stage) =>
  stage.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';
const ignorePatterns = read('.dockerignore')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const isIgnored = (path: string) =>
  ignorePatterns
    .filter((p) => !p.startsWith('!'))
    .some((p) => ignoreMatcher(p).test(posix.normalize(path).replace(/^\.\//, '')));
const buildConfig = JSON.parse(read('tsconfig.build.json')) as {
  compilerOptions: { outDir: string; rootDir: string };
};
const outDir = posix.normalize(buildConfig.compilerOptions.outDir).replace(/\/$/, '');
const packageJson = JSON.parse(read('package.json')) as {
  type?: string;
  scripts: Record<string, string>;
};

describe('Dockerfile', () => {
  it('builds in a named stage and runs from a slim Node 20 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]?.name).toBeDefined();
    for (const stage of stages) expect(stage.image).toBe('node:20-bookworm-slim');
    // The toolchain for better-sqlite3 belongs to the build stage only.
    const finalRuns = finalOf('RUN').map((i) => i.args);
    expect(finalRuns.join('\n')).not.toMatch(/g\+\+|python3|build-essential/);
  });

  it('copies only files that exist in the repository, are not ignored, or come from a stage', () => {
    const stageNames = new Set<string>();
    for (const stage of stages) {
      for (const instruction of stage.instructions.filter((i) =>
        ['COPY', 'ADD'].includes(i.keyword),
      )) {
        expect(instruction.keyword, `line ${instruction.line}: use COPY`).toBe('COPY');
        const { flags, sources } = parseCopy(instruction.args);
        expect(sources.length, `line ${instruction.line}`).toBeGreaterThan(0);
        if (flags.from !== undefined) {
          expect([...stageNames], `line ${instruction.line}: --from an earlier stage`).toContain(
            flags.from,
          );
          continue;
        }
        for (const source of sources) {
          expect(existsSync(join(ROOT, source)), `line ${instruction.line}: ${source} exists`).toBe(
            true,
          );
          expect(isIgnored(source), `line ${instruction.line}: ${source} is in .dockerignore`).toBe(
            false,
          );
        }
      }
      if (stage.name) stageNames.add(stage.name);
    }
  });

  it("compiles with the build script into tsconfig.build.json's outDir, and ships that", () => {
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json');
    const build = stages.find((s) => s.name === stages[0]?.name) as Stage;
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(runs.some((r) => /npm prune --omit=dev|npm ci --omit=dev/.test(r))).toBe(true);
    // npm itself is pinned to an exact version: the same install on every build.
    expect(runs.join('\n')).toMatch(/npm install -g npm@\d+\.\d+\.\d+(\s|$)/);

    const fromBuild = finalOf('COPY')
      .map((i) => parseCopy(i.args))
      .filter((c) => c.flags.from === build.name)
      .flatMap((c) => c.sources);
    const buildDir = workdirOf(build);
    expect(fromBuild).toContain(posix.join(buildDir, outDir));
    expect(fromBuild).toContain(posix.join(buildDir, 'node_modules'));
    // src/main.ts and src/cli.ts compile to <outDir>/main.js and <outDir>/cli.js.
    expect(buildConfig.compilerOptions.rootDir).toBe('src');
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
    expect(read('bin/pipeline-schedule.js')).toContain(`'../${outDir}/cli.js'`);
  });

  it('ships what dist/ reads at run time beside it', () => {
    const workdir = workdirOf(final);
    const shipped = finalOf('COPY').flatMap((i) => {
      const { sources, dest } = parseCopy(i.args);
      const target = posix.resolve(workdir, dest);
      return dest.endsWith('/') || sources.length > 1
        ? sources.map((s) => posix.join(target, posix.basename(s)))
        : [target];
    });
    // ESM needs package.json's "type"; runtime.ts resolves ../examples and ../policy.yml.
    expect(packageJson.type).toBe('module');
    const runtime = read('src/runtime.ts');
    expect(runtime).toContain("'../examples/local-pipelines.yml'");
    expect(runtime).toContain("'../policy.yml'");
    for (const path of ['package.json', outDir, 'node_modules', 'bin', 'examples', 'policy.yml']) {
      expect(shipped).toContain(posix.join(workdir, path));
    }
    expect(shipped.some((p) => p.startsWith(posix.join(workdir, 'src')))).toBe(false);
  });

  it('runs as a non-root user', () => {
    const user = finalOf('USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('exposes the default PORT and sets it', () => {
    const { port } = loadConfig({});
    expect(finalOf('EXPOSE').map((i) => i.args)).toEqual([String(port)]);
    expect(
      finalOf('ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(new RegExp(`\\bPORT=${port}\\b`));
  });

  it('keeps the SQLite store on a volume the user can write', () => {
    const database = loadConfig({}).databaseUrl;
    expect(database).toBe('sqlite:./data/bot.db');
    const dataDir = posix.join(workdirOf(final), 'data');
    expect(
      finalOf('VOLUME')
        .map((i) => i.args)
        .join(' '),
    ).toContain(dataDir);
    const user = finalOf('USER').at(-1)?.args;
    expect(
      finalOf('RUN')
        .map((i) => i.args)
        .join('\n'),
    ).toContain(`chown ${user}:${user} ${dataDir}`);
  });

  it('checks health on /healthz, a route the server has, with node (no curl)', () => {
    const healthcheck = finalOf('HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    const args = healthcheck[0]?.args ?? '';
    const command = execForm(args.slice(args.indexOf('CMD') + 3).trim());
    expect(command?.[0]).toBe('node');
    expect(command?.join(' ')).toMatch(/fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.PORT/);
    expect(command?.join(' ')).toContain("'/healthz'");
    expect(read('src/ops/http-server.ts')).toContain("path === '/healthz'");
  });

  it('runs the compiled entry point, not a dev server', () => {
    const cmd = finalOf('CMD');
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0]?.args ?? '')).toEqual(['node', `${outDir}/main.js`]);
    expect(packageJson.scripts['start:prod']).toBe(`node ${outDir}/main.js`);
  });

  it('holds no secret in ENV or ARG', () => {
    const declared = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .flatMap(declaredNames);
    expect(declared.length).toBeGreaterThan(0);
    for (const name of declared) {
      expect(name).not.toMatch(/TOKEN|SECRET|PASSWORD|API_?KEY|CREDENTIAL|PRIVATE|DATABASE_URL/i);
    }
    expect(dockerfile).not.toMatch(/xox[abp]-|xapp-|AKIA[0-9A-Z]{16}/);
  });
});

describe('.dockerignore', () => {
  it('keeps host dependencies, build output, local state and secrets out of the context', () => {
    for (const path of ['node_modules', 'node_modules/pino/package.json', 'dist/main.js']) {
      expect(isIgnored(path), path).toBe(true);
    }
    for (const path of ['data/bot.db', '.env', '.env.production', '.git/config', 'coverage']) {
      expect(isIgnored(path), path).toBe(true);
    }
    expect(ignorePatterns.some((p) => p.startsWith('!'))).toBe(false);
  });
});
