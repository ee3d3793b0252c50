#!/usr/bin/env node
// Schema as code for urBackend (docs/schema-as-code.md): pull | push [--yes] | generate [--zod], with a personal access token.
// Env: URBACKEND_PAT=ubpat_…, URBACKEND_PROJECT=<project id>, URBACKEND_API_URL (dashboard API, default http://localhost:1234).
import { readFile, writeFile } from 'node:fs/promises';
const [cmd, arg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const zod = process.argv.includes('--zod');
const file = arg ?? (cmd === 'generate' ? (zod ? 'urbackend.zod.ts' : 'urbackend.d.ts') : 'urbackend.schema.json');
const api = `${process.env.URBACKEND_API_URL ?? 'http://localhost:1234'}/api/projects/${process.env.URBACKEND_PROJECT}`;
const say = (text) => process.stdout.write(`${text}\n`);
async function call(path, init = {}) {
  const headers = { Authorization: `Bearer ${process.env.URBACKEND_PAT}`, 'Content-Type': 'application/json' };
  const res = await fetch(api + path, { ...init, headers });
  if (!res.ok) throw new Error(`${res.status} ${(await res.json().catch(() => ({}))).error ?? res.statusText}`);
  return path.startsWith('/types') ? res.text() : res.json();
}
if (cmd === 'pull') await writeFile(file, `${JSON.stringify((await call('/schema')).data, null, 2)}\n`);
else if (cmd === 'generate') await writeFile(file, await call(`/types.d.ts${zod ? '?format=zod' : ''}`));
else if (cmd === 'push') {
  const body = await readFile(file, 'utf8');
  const dry = await call('/sync-schema?dryRun=true', { method: 'PUT', body });
  say(`${dry.message}\n${JSON.stringify(dry.data.plan, null, 2)}`);
  if (dry.data.plan.blocked) process.exit(2);
  if (dry.data.synced > 0 && process.argv.includes('--yes')) say((await call('/sync-schema', { method: 'PUT', body })).message);
  else if (dry.data.synced > 0) say('Nothing applied yet: run `push --yes` to apply this plan.');
} else {
  process.stderr.write('usage: node scripts/schema-sync.mjs pull|push|generate [file] [--yes] [--zod]\n');
  process.exit(1);
}
