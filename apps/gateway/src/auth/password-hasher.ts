import argon2 from 'argon2';

/** argon2id with OWASP's recommended cost (19 MiB, 2 passes): about 30 ms per hash on one core. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A hash of a password no one has, so an unknown account costs as much time as a wrong password. */
let decoy: Promise<string> | undefined;

export const passwordHasher = {
  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  },

  /** True when the password matches; a missing hash still spends the time of one verification. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      decoy ??= argon2.hash('decoy password of no account', OPTIONS);
      await argon2.verify(await decoy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  },
};
