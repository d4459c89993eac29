import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export type Environment = Readonly<Record<string, string | undefined>>;

/** One setting that is missing or malformed, named as the operator writes it (the environment variable). */
export interface ConfigProblem {
  setting: string;
  value: string | undefined;
  rules: string[];
}

export class ConfigValidationError extends Error {
  constructor(
    readonly appName: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${appName}: invalid configuration, ${problems.length} setting(s) to fix:\n` +
        problems
          .map(
            (p) =>
              `  - ${p.setting}${p.value === undefined ? ' (not set)' : ` = ${JSON.stringify(p.value)}`}: ${p.rules.join('; ')}`,
          )
          .join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

function collectProblems(errors: ValidationError[], env: Environment): ConfigProblem[] {
  return errors.map((error) => ({
    setting: error.property,
    value: env[error.property],
    rules: Object.values(error.constraints ?? { invalid: 'is invalid' }),
  }));
}

/**
 * Builds a typed configuration object from environment variables and validates every field at once, so an operator
 * sees all problems in one go. Field names of the class are the environment variable names; defaults are the field
 * initialisers. Values are converted by the `@Type`/`@Transform` decorators of the class.
 */
export function loadConfig<T extends object>(configClass: new () => T, env: Environment, appName: string): T {
  const defaults = new configClass() as Record<string, unknown>;
  const plain: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') plain[key] = raw;
  }
  const config = plainToInstance(configClass, plain, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigValidationError(appName, collectProblems(errors, env));
  return Object.freeze(config);
}

/**
 * The one place where an app reads `process.env`: validates the typed configuration at start-up and, when it is
 * wrong, prints every problem and exits with status 1 instead of starting half-configured.
 */
export function readConfigOrExit<T extends object>(configClass: new () => T, appName: string): T {
  try {
    return loadConfig(configClass, process.env, appName);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(
        JSON.stringify({
          level: 'fatal',
          time: new Date().toISOString(),
          app: appName,
          msg: error.message,
          problems: error.problems,
        }) + '\n',
      );
      process.exit(1);
    }
    throw error;
  }
}

/** For tooling (scripts, test helpers) that needs the same validated settings as the apps. */
export function readConfig<T extends object>(configClass: new () => T, appName: string): T {
  return loadConfig(configClass, process.env, appName);
}
