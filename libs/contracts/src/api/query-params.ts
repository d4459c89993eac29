import { Transform } from 'class-transformer';

/**
 * Query parameters arrive as strings (a repeated one as a list of strings); RPC payloads carry JSON values. These
 * transforms turn a well-formed string into its value and leave everything else as it is, so that the rule next to
 * them (`@IsInt()`, `@IsBoolean()`) reports what is wrong instead of a conversion guessing (`Number('')` is 0).
 */

/** `"42"` → 42, `"-3"` → -3; `"4.5"`, `""`, `"12abc"` stay strings and fail `@IsInt()`. */
export function ToInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?[0-9]{1,15}$/.test(value) ? Number(value) : value,
  );
}

/** `"true"` → true, `"false"` → false; anything else stays and fails `@IsBoolean()`. */
export function ToBoolean(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );
}

/** `"a,b"` or `?x=a&x=b` → `["a", "b"]` (empty parts dropped); combine with `@IsString({ each: true })` etc. */
export function ToList(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    const parts = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(parts) || !parts.every((part) => typeof part === 'string')) return value;
    return parts
      .flatMap((part) => part.split(','))
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
  });
}
