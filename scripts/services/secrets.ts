import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
}

/**
 * Development secrets, generated once into `<dataDir>/dev-secrets.json` (mode 600) and reused,
 * so sessions and encrypted values survive restarts. Never used in production.
 */
export async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<DevSecrets>;
    if (parsed.JWT_SECRET && parsed.ENCRYPTION_KEY)
      return { JWT_SECRET: parsed.JWT_SECRET, ENCRYPTION_KEY: parsed.ENCRYPTION_KEY };
  } catch {
    // first run: generate below
  }
  const secrets: DevSecrets = {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
