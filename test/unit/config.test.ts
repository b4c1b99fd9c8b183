import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config.js';

describe('config', () => {
  it('gives every policy of the spec its documented default', () => {
    const c = loadConfig({});
    expect(c.PLAN_TIME_ZONE).toBe('America/Los_Angeles');
    expect(c.LATE_FIRST_SUBMISSION).toBe('accept');
    expect(c.ON_TIME_LAST_DAY).toBe(5);
    expect(c.RESUBMISSION_LAST_DAY).toBe(10);
    expect(c.MIF_INCLUDES_RTF_TEMPLATE).toBe(true);
    expect(c.MINI_MIF_MIN_DAYS).toBe(5);
    expect(c.MINI_MIF_SLA_DAYS).toBe(10);
    expect(c.CSASF_SECOND_RUN_DAY).toBe(29);
    expect(c.CATCH_UP_DAYS).toBe(35);
    expect(c.CASELOAD_WARN_LIMIT).toBe(50);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REFERRAL_STATUS_VALUES).toEqual(['Declined', 'Accepted', 'Pending', 'Services Received']);
    expect(c.NOTIFY_GIVE_UP_HOURS).toBe(24);
    expect(c.OPS_EMAIL).toBeUndefined();
    expect(c.PREVIOUS_IDENTITY_DAYS).toBe(62);
    expect(loadConfig({ PREVIOUS_IDENTITY_DAYS: '0' }).PREVIOUS_IDENTITY_DAYS).toBe(0);
    expect(c.SWITCH_LOOKBACK_DAYS).toBe(183);
    expect(loadConfig({ SWITCH_LOOKBACK_DAYS: '0' }).SWITCH_LOOKBACK_DAYS).toBe(0);
  });

  it('serves health and metrics on localhost by default; HEALTH_PORT 0 is any free port, off none', () => {
    const c = loadConfig({});
    expect([c.HEALTH_HOST, c.HEALTH_PORT, c.HEALTH_POLL_MAX_AGE_FACTOR, c.HEALTH_CHECK_TIMEOUT_MS]).toEqual(['127.0.0.1', 9464, 10, 3000]);
    expect(loadConfig({ HEALTH_PORT: '0' }).HEALTH_PORT).toBe(0);
    expect(loadConfig({ HEALTH_PORT: 'OFF' }).HEALTH_PORT).toBeNull();
  });

  it('documents every setting', () => {
    for (const [name, s] of Object.entries(SETTINGS)) expect(s.doc.length, name).toBeGreaterThan(10);
  });

  it.each([
    [{ LATE_FIRST_SUBMISSION: 'maybe' }, 'LATE_FIRST_SUBMISSION'],
    [{ SFTP_PORT: 'twenty-two' }, 'SFTP_PORT'],
    [{ SFTP_PORT: '70000' }, 'SFTP_PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PLAN_TIME_ZONE: 'Pacific/Nowhere' }, 'PLAN_TIME_ZONE'],
    [{ MIF_INCLUDES_RTF_TEMPLATE: 'perhaps' }, 'MIF_INCLUDES_RTF_TEMPLATE'],
    [{ SFTP_HOST: 'sftp.plan.example', SFTP_USER: 'svc', SFTP_PASSWORD: 'x' }, 'SFTP_HOST_KEY_SHA256'],
    [{ ON_TIME_LAST_DAY: '12' }, 'ON_TIME_LAST_DAY'],
    [{ NOTIFY_GIVE_UP_HOURS: '0' }, 'NOTIFY_GIVE_UP_HOURS'],
    [{ OPS_EMAIL: 'ops team' }, 'OPS_EMAIL'],
    [{ HEALTH_PORT: 'on' }, 'HEALTH_PORT'],
    [{ HEALTH_PORT: '65536' }, 'HEALTH_PORT'],
    [{ HEALTH_POLL_MAX_AGE_FACTOR: '0' }, 'HEALTH_POLL_MAX_AGE_FACTOR'],
    [{ PREVIOUS_IDENTITY_DAYS: '-1' }, 'PREVIOUS_IDENTITY_DAYS'],
    [{ PREVIOUS_IDENTITY_DAYS: 'two months' }, 'PREVIOUS_IDENTITY_DAYS'],
    [{ SWITCH_LOOKBACK_DAYS: '-1' }, 'SWITCH_LOOKBACK_DAYS'],
    [{ SWITCH_LOOKBACK_DAYS: 'six months' }, 'SWITCH_LOOKBACK_DAYS'],
    [{ SWITCH_LOOKBACK_DAYS: '732' }, 'SWITCH_LOOKBACK_DAYS'],
  ])('refuses %j naming %s', (env, variable) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.variable)).toContain(variable);
    expect((err as ConfigError).message).toContain(variable);
  });

  // The host key pin: only a real OpenSSH SHA256 fingerprint, never a placeholder copied from docs.
  const REAL_FP = 'SHA256:' + createHash('sha256').update('a host key').digest('base64').replace(/=+$/, '');
  const sftpEnv = { SFTP_HOST: 'sftp', SFTP_USER: 'calaim', SFTP_PASSWORD: 'x' };

  it('accepts a real OpenSSH SHA256 host key fingerprint', () => {
    expect(REAL_FP).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(loadConfig({ ...sftpEnv, SFTP_HOST_KEY_SHA256: REAL_FP }).SFTP_HOST_KEY_SHA256).toBe(REAL_FP);
    expect(loadConfig({ ...sftpEnv, SFTP_HOST_KEY_SHA256: ` ${REAL_FP}\n` }).SFTP_HOST_KEY_SHA256).toBe(REAL_FP);
  });

  it.each([
    ['the README placeholder', 'SHA256:...'],
    ['a word', 'changeme'],
    ['the bare base64 without SHA256:', REAL_FP.slice(7)],
    ['a padded fingerprint', `${REAL_FP}=`],
    ['an MD5 fingerprint', 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48'],
    ['a fingerprint one character short', REAL_FP.slice(0, -1)],
    ['43 characters that are no SHA256 digest', 'SHA256:' + 'x'.repeat(43)],
    ['the whole ssh-keygen -lf line', `256 ${REAL_FP} root@sftp (ED25519)`],
  ])('refuses %s as SFTP_HOST_KEY_SHA256, naming the variable', (_, value) => {
    const err = (() => {
      try {
        loadConfig({ ...sftpEnv, SFTP_HOST_KEY_SHA256: value });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.variable)).toEqual(['SFTP_HOST_KEY_SHA256']);
    expect((err as ConfigError).message).toMatch(/SFTP_HOST_KEY_SHA256: .*SHA256: followed by 43/);
  });

  it('says how to get the fingerprint when SFTP_HOST is set without it (compose passes it empty)', () => {
    for (const SFTP_HOST_KEY_SHA256 of [undefined, '']) {
      const err = (() => {
        try {
          loadConfig({ ...sftpEnv, SFTP_HOST_KEY_SHA256 });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/SFTP_HOST_KEY_SHA256: required with SFTP_HOST/);
      expect((err as ConfigError).message).toMatch(/sftp-fingerprint/);
    }
  });

  it('parses booleans, lists and numbers', () => {
    const c = loadConfig({ MIF_INCLUDES_RTF_TEMPLATE: 'off', REFERRAL_STATUS_VALUES: 'A, B ,C', SFTP_STABLE_SECONDS: '5' });
    expect(c.MIF_INCLUDES_RTF_TEMPLATE).toBe(false);
    expect(c.REFERRAL_STATUS_VALUES).toEqual(['A', 'B', 'C']);
    expect(c.SFTP_STABLE_SECONDS).toBe(5);
  });
});
