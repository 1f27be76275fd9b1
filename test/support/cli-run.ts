import { runCli } from '../../src/cli.js';

/** The CLI as a script runs it, its output captured line by line. */
export async function runCliCaptured(
  argv: string[],
  options: { now: Date; env?: Record<string, string | undefined> },
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
    now: () => options.now,
    // Times are read in LOCAL_TZ: fixed here, whatever zone the machine is in.
    env: { LOCAL_TZ: 'UTC', ...(options.env ?? process.env) },
  });
  return { code, stdout, stderr };
}
