import os from 'node:os';
import pg from 'pg';

/** What a figure was measured on: BENCHMARKS.md prints it next to every table, so numbers are never compared blind. */
export interface Machine {
  cores: number;
  cpu: string;
  ramGb: number;
  node: string;
  postgres: string;
  os: string;
}

export async function describeMachine(databaseUrl: string): Promise<Machine> {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: await postgresVersion(databaseUrl),
    os: `${os.type()} ${os.release()}`,
  };
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}

/** 1-minute load average: the machine is shared (other test runs), so every result records how busy it was. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}
