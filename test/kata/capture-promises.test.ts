import { describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/kata/describe.js';
import { findEncryptionPromises } from '../../src/kata/expectations.js';
import { kata, stepWith } from '../helpers/kata.js';

const fence = '```';
const checksOf = (k: ReturnType<typeof kata>, text: string) => stepWith(k, text).checks.map((c) => [describeCheck(c), c.inferred]);

describe('promises about what a capture shows', () => {
  it('reads encrypted and plaintext promises, also when negated', () => {
    const kinds = (prose: string) => findEncryptionPromises(prose).map((p) => p.kind);
    expect(kinds('Call the server again and you will see TLS records only.')).toEqual(['payload-encrypted']);
    expect(kinds('Here you should see the request in plain text.')).toEqual(['payload-plaintext']);
    expect(kinds('On this interface you should see unencrypted HTTP.')).toEqual(['payload-plaintext']);
    expect(kinds('You will not see any plaintext on the wire.')).toEqual(['payload-encrypted']);
    expect(kinds('You should see that the reply is not encrypted.')).toEqual(['payload-plaintext']);
    expect(kinds('The mesh encrypts all traffic, so debugging is hard.')).toEqual([]);
    expect(findEncryptionPromises('Run it again. With the capture above you should see encrypted data.')[0]?.backwards).toBe(true);
  });

  it('puts the checks on the packet captures the sentences talk about, and a kata about Istio makes them need the mesh', () => {
    const k = kata(`
      # Looking at the wire

      Istio's sidecars wrap pod-to-pod traffic in mutual TLS.

      ${fence}console
      kubectl create deploy web --image nginx
      ${fence}

      Capture on the pod's outer interface:

      ${fence}console
      tcpdump -i eth0 -nXX port 80
      ${fence}

      Repeat the request: with the capture above you will see an encrypted response.
      Now capture between the sidecar and the application:

      ${fence}console
      tcpdump -i lo -nXX port 80
      ${fence}

      Here you should see un-encrypted traffic.

      ${fence}console
      kubectl delete deploy web
      ${fence}
    `);
    expect(checksOf(k, '-i eth0')).toEqual([['captured packet payload is encrypted (TLS records, no plaintext)', true]]);
    expect(checksOf(k, '-i lo')).toEqual([['captured packet payload holds plaintext (HTTP or readable text)', true]]);
    for (const text of ['-i eth0', '-i lo']) {
      expect(stepWith(k, text).needs).toEqual(['mesh']);
      expect(stepWith(k, text).needsInferred).toBe('the text assumes Istio (line 3)');
    }
    expect(stepWith(k, 'kubectl delete').checks).toEqual([]);
  });

  it('checks encryption without needing a mesh when the text is not about one', () => {
    const k = kata(`
      # HTTPS by hand

      ${fence}console
      tcpdump -i lo -X 'tcp port 8443'
      ${fence}

      While it runs, call the server with curl: you should see only TLS records.

      ${fence}console
      echo done
      ${fence}
    `);
    expect(checksOf(k, 'tcpdump')).toEqual([['captured packet payload is encrypted (TLS records, no plaintext)', true]]);
    expect(stepWith(k, 'tcpdump').needs).toEqual([]);
  });

  it('leaves captures alone when nothing can read their bytes, or the author annotated the checks', () => {
    const k = kata(`
      # Captures

      Istio is installed.

      ${fence}console
      tcpdump -i eth0 port 80
      ${fence}

      You will see encrypted traffic.

      <!-- kata: expect matches "length" -->
      ${fence}console
      tcpdump -i lo -XX port 80
      ${fence}

      You should see plaintext here.
    `);
    expect(stepWith(k, '-i eth0').checks).toEqual([]);
    expect(checksOf(k, '-i lo')).toEqual([['output matches /length/', false]]);
  });
});
