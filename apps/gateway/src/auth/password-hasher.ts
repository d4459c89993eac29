import argon2 from 'argon2';

/**
 * argon2id at one of OWASP's equivalent cost settings: 7 MiB and 5 passes (as strong as 19 MiB and 2). The smaller
 * memory matters: each hash runs on a libuv thread whose memory the C library keeps after it is freed, so 19 MiB cost
 * the gateway up to 4 × 19 MiB of resident memory under a wave of logins. Hashes made with other settings still verify
 * (the settings are part of the hash).
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 7_168, timeCost: 5, parallelism: 1 } as const;

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
