import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SERVICE_APPS = ['projects', 'funding', 'municipalities', 'notifications'] as const;
export const ALL_APPS = ['gateway', ...SERVICE_APPS] as const;
export type AppName = (typeof ALL_APPS)[number];

export interface RunningApp {
  name: AppName;
  url: string;
  process: ChildProcess;
  logLines: Record<string, unknown>[];
  /** Sends SIGTERM and resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/** Runs a compiled Node entry point of the repository to completion. */
export async function runNode(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts an app as its own process (as `npm start` does) and waits for its "is up" log line. */
export async function startApp(
  name: AppName,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<RunningApp> {
  const child = spawn(process.execPath, [`apps/${name}/dist/main.js`], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not come up in ${timeoutMs} ms; stderr: ${stderr}`)),
      timeoutMs,
    );
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code} before it was up; stderr: ${stderr}`)),
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        logLines.push(parsed);
        if (parsed['msg'] === `${name} is up` && typeof parsed['url'] === 'string') {
          clearTimeout(timer);
          resolve(parsed['url']);
        }
      } catch {
        logLines.push({ unparsable: line });
      }
    });
  });
  return {
    name,
    url,
    process: child,
    logLines,
    async terminate() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
