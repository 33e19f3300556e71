/**
 * The simulated vendor accounts on disk (Node only): one JSON file per simulator under a folder
 * (./data/simulators by default), written whole to a temporary file and renamed over the old
 * one, so a process killed mid-write leaves the previous state, never half a file. Owner-only
 * (0600): the files hold the simulated vendors' tokens and the hub's Outbound Message URL.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SimulatorFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  read(name: string): unknown {
    const file = join(this.dir, `${name}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  }

  write(name: string, data: unknown): void {
    const file = join(this.dir, `${name}.json`);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(data), { mode: 0o600 });
    renameSync(temp, file);
  }
}

/** Writes a file only its owner may read, tightening one left by an earlier, laxer write. */
export function writePrivateFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}
