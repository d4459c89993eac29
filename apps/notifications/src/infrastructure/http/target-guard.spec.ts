import { describe, expect, it } from '@jest/globals';
import { checkTarget, ForbiddenTargetError, isForbiddenAddress } from './target-guard.js';

describe('webhook target guard (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '127.10.0.1',
    '::1',
    '169.254.169.254',
    'fe80::1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '::',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
    '::7f00:1',
    '::a00:1',
    '2002:7f00:1::1',
    '2002:c0a8:101::1',
  ])('refuses %s', (address) => expect(isForbiddenAddress(address)).toBe(true));

  it.each(['93.184.216.34', '172.32.0.1', '2a00:1450:4001:80b::200e', '8.8.8.8'])('allows %s', (address) =>
    expect(isForbiddenAddress(address)).toBe(false),
  );

  it('refuses a host name that resolves to a private address, unless private targets are allowed', async () => {
    const resolve = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ]);
    const url = new URL('https://hooks.example.org/wandelwerk');
    await expect(checkTarget(url, false, resolve)).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(checkTarget(url, true, resolve)).resolves.toHaveLength(2);
    await expect(checkTarget(new URL('http://127.0.0.1:8080/x'), false)).rejects.toThrow(/loopback/);
    await expect(checkTarget(new URL('http://[::1]:8080/x'), false)).rejects.toBeInstanceOf(
      ForbiddenTargetError,
    );
    await expect(
      checkTarget(new URL('https://public.example/'), false, () =>
        Promise.resolve([{ address: '8.8.8.8', family: 4 }]),
      ),
    ).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });
});
