import { describe, expect, it } from 'vitest';
import { ExcerptBuffer } from '../src/run/events.js';
import { redact, Redactor } from '../src/redact.js';

// Made-up credentials of the shapes that leak (none of them is real).
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkFCQyJ9.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzIl19.c2lnbmF0dXJlLW5vdC1yZWFsLWF0LWFsbA';

describe('redaction', () => {
  it('masks bare tokens and keys of the shapes that leak', () => {
    expect(redact(JWT)).toBe('[redacted]');
    expect(redact(`token: ${JWT}`)).toBe('token: [redacted]');
    expect(redact('export GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB')).toBe('export GH=[redacted]');
    expect(redact('slack xoxb-1234567890-abcdefghij')).toBe('slack [redacted]');
    expect(redact('key id AKIAABCDEFGHIJKLMNOP here')).toBe('key id [redacted] here');
    expect(redact('aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY')).toBe('aws_secret_access_key = [redacted]');
    expect(redact('Authorization: Bearer abc.def.ghi-jkl')).toBe('Authorization: Bearer [redacted]');
  });

  it('leaves ordinary output alone', () => {
    for (const line of ['deployment.apps/nginx created', 'Welcome to nginx!', 'keys: 3 (monkey)', '10.244.0.5.80 > 127.0.0.6.4312: Flags [P.]']) expect(redact(line)).toBe(line);
  });

  it('masks a private key block line by line, its BEGIN and END kept', () => {
    const r = new Redactor();
    const out = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7', '-----END PRIVATE KEY-----', 'after'].map((l) => r.line(l));
    expect(out).toEqual(['-----BEGIN PRIVATE KEY-----[redacted]', '[redacted]', '[redacted]', '-----END PRIVATE KEY-----', 'after']);
  });

  it('is applied to what reports keep of a step\'s output (JSON, JUnit and the plain tail read the excerpt)', () => {
    const excerpt = new ExcerptBuffer(2, 2);
    excerpt.pushLines(['first', JWT, ...Array.from({ length: 50 }, (_, i) => `line ${i}`), `password=hunter2hunter2`, '-----BEGIN RSA PRIVATE KEY-----']);
    excerpt.push('MIIEowIBAAKCAQEA');
    const kept = excerpt.excerpt();
    expect(kept.head).toEqual(['first', '[redacted]']);
    expect(kept.tail).toEqual(['password=[redacted]', '-----BEGIN RSA PRIVATE KEY-----[redacted]', '[redacted]'].slice(-2));
  });
});
