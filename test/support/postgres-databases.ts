import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The run's server (test/support/postgres-global-setup.ts); never a skip when there is none. */
export function postgresServerUrl(): string {
  const server = inject('postgres');
  if ('error' in server) throw new Error(server.error);
  return server.url;
}

let admin: pg.Pool | undefined;
const databases: string[] = [];

/** A new database on the test server, without tables. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  admin ??= new pg.Pool({ connectionString: postgresServerUrl(), max: 2 });
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(postgresServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops this file's databases; matters on a TEST_DATABASE_URL server. Call from afterAll. */
export async function dropTestDatabases(): Promise<void> {
  if (!admin) return;
  for (const name of databases.splice(0))
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  admin = undefined;
}
