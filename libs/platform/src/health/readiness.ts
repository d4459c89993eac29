export type CheckStatus = 'up' | 'down';

export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  checks: Record<string, { status: CheckStatus; latencyMs: number; error?: string }>;
}

/** Runs every dependency check side by side, each bounded, so a hanging dependency cannot hang the probe. */
export async function checkReadiness(
  checks: DependencyCheck[],
  timeoutMs: number,
  draining: boolean,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (dependency) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          dependency.check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [
          dependency.name,
          { status: 'up' as const, latencyMs: Math.round(performance.now() - started) },
        ] as const;
      } catch (error) {
        return [
          dependency.name,
          {
            status: 'down' as const,
            latencyMs: Math.round(performance.now() - started),
            error: error instanceof Error ? error.message : String(error),
          },
        ] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const allUp = results.every(([, r]) => r.status === 'up');
  const checksByName: ReadinessReport['checks'] = {};
  for (const [name, result] of results) checksByName[name] = result;
  return { status: draining ? 'draining' : allUp ? 'ready' : 'not_ready', checks: checksByName };
}
