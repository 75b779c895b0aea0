import { describe, expect, it } from 'vitest';
import { isReadOnly } from '../../src/kata/read-only.js';

describe('which commands only read (kata test --prove runs them again earlier)', () => {
  it.each([
    'kubectl get pods',
    'kubectl -n web get deploy nginx -o jsonpath={.status.readyReplicas}',
    "kubectl get po <nginx POD> -o jsonpath='{.spec.ephemeralContainers}' | jq .",
    'kubectl describe svc nginx',
    'kubectl logs deploy/web --tail 20',
    'kubectl exec deploy/web -- curl -s localhost',
    'kubectl auth can-i create pods',
    'curl nginx',
    'curl -sS "http://127.0.0.1:$(cat port)/index.html"',
    'curl -sI -X HEAD http://web',
    'wget -qO- http://web',
    'cat note.txt | grep milk | wc -l',
    'ls -la',
    'ip link list',
    'ip -br a',
    'ping -c 1 web',
    'sed -n 1,5p file',
    'echo hi > /dev/null 2>&1',
    'istioctl proxy-status',
    'find . -name "*.yaml"',
    'hostname',
    'env',
    'sort -u names.txt',
  ])('%s reads', (command) => {
    expect(isReadOnly(command)).toBe(true);
  });

  it.each([
    'kubectl create deploy nginx --image nginx',
    'kubectl apply -f deploy/web.yaml',
    'kubectl delete pod web',
    'kubectl exec -it web -- bash',
    'kubectl exec web -- rm /tmp/x',
    'kubectl get pods -w',
    'kubectl logs -f deploy/web',
    'kubectl debug -it web --image busybox -- sh',
    'curl -X POST http://web/items',
    'curl -d name=x http://web',
    'curl -o page.html http://web',
    'curl -sSo page.html http://web',
    'wget http://web/page.html',
    'echo hello > note.txt',
    'cat a >> b',
    'cat note.txt | tee copy.txt',
    "sed -i 's/a/b/' file",
    'find . -delete',
    'ip link set eth0 down',
    'export X=1',
    'X=1 curl web',
    'cd /tmp',
    'rm -rf /tmp/x',
    'tcpdump -i eth0',
    'for i in 1 2; do curl web; done',
    'curl web &',
    'istioctl install -y',
    'echo `date`',
    'sleep 1; touch x',
    './scripts/check.sh',
    'hostname web-1',
    'date -s 12:00',
    'env rm -rf x',
    'sort -o out.txt in.txt',
    'uniq in.txt out.txt',
    "yq -i '.a = 1' x.yaml",
  ])('%s does not', (command) => {
    expect(isReadOnly(command)).toBe(false);
  });

  it('keeps `<app POD>` placeholders from reading as redirections', () => {
    expect(isReadOnly('kubectl logs <web POD>')).toBe(true);
    expect(isReadOnly('kubectl logs <web POD> > logs.txt')).toBe(false);
  });
});
