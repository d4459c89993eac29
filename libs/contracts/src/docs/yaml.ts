// Keys YAML 1.1 readers take for booleans or null must be quoted; other simple keys read better plain.
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$.-]*$/;
const AMBIGUOUS_KEY = /^(true|false|null|yes|no|on|off|y|n)$/i;

function key(name: string): string {
  return PLAIN_KEY.test(name) && !AMBIGUOUS_KEY.test(name) ? name : quoted(name);
}

/**
 * Single-quoted as the repository's Prettier writes YAML (so `prettier --check` agrees with the generator), where
 * only `'` needs escaping; a string with control characters or more `'` than `"` is written as JSON, which is a valid
 * YAML double-quoted scalar.
 */
function quoted(text: string): string {
  const count = (quote: string) => text.split(quote).length - 1;
  if (/[\u0000-\u001f\u007f]/.test(text) || count("'") > count('"')) return JSON.stringify(text);
  return `'${text.replaceAll("'", "''")}'`;
}

function scalar(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function lines(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown) => {
      const inline = scalar(item);
      if (inline !== undefined) return [`- ${inline}`];
      return lines(item).map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`));
    });
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([name, item]) => {
    const inline = scalar(item);
    if (inline !== undefined) return [`${key(name)}: ${inline}`];
    return [`${key(name)}:`, ...lines(item).map((line) => `  ${line}`)];
  });
}

/**
 * Writes JSON data as block-style YAML (no YAML library is installed, and JSON data needs only this much). Strings are
 * always quoted, so nothing is ever read back as a number, boolean or date.
 */
export function toYaml(value: object): string {
  return `${lines(value).join('\n')}\n`;
}
